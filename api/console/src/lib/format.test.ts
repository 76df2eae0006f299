import { describe, expect, it } from 'vitest';
import { ago, bytes, bytesOf, duration, rates } from './format';

describe('bytes', () => {
  it('uses decimal units with one decimal below ten', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(999)).toBe('999 B');
    expect(bytes(1500)).toBe('1.5 KB');
    expect(bytes(12_400_000)).toBe('12 MB');
    expect(bytes(2_100_000_000)).toBe('2.1 GB');
    expect(bytes(undefined)).toBe('—');
    expect(bytes(-1)).toBe('—');
  });
});

describe('bytesOf', () => {
  it('reads as the unpacking bar does, both figures in the total unit', () => {
    expect(bytesOf(2_100_000_000, 7_000_000_000)).toBe('2.1/7.0 GB');
    expect(bytesOf(0, 512_000_000)).toBe('0.0/512.0 MB');
  });
});

describe('duration', () => {
  it('shows milliseconds, tenths of seconds, then the two largest units', () => {
    expect(duration(850)).toBe('850 ms');
    expect(duration(4250)).toBe('4.2 s');
    expect(duration(42_000)).toBe('42 s');
    expect(duration(65_000)).toBe('1 min 5 s');
    expect(duration(3 * 3600_000 + 120_000 + 5000)).toBe('3 h 2 min');
    expect(duration(2 * 86400_000 + 3600_000)).toBe('2 d 1 h');
    expect(duration(3600_000)).toBe('1 h');
    expect(duration(undefined)).toBe('—');
  });

  it('says how long ago a time was', () => {
    expect(ago('2026-12-01T10:00:00Z', Date.parse('2026-12-01T10:00:12Z'))).toBe('12 s ago');
    expect(ago(undefined, 0)).toBe('—');
  });
});

describe('rates', () => {
  it('turns cumulative bytes into MB/s between samples', () => {
    expect(rates([
      { t: '2026-12-01T10:00:00Z', write_bytes: 0 },
      { t: '2026-12-01T10:00:02Z', write_bytes: 10_000_000 },
      { t: '2026-12-01T10:00:04Z', write_bytes: 10_000_000 },
    ])).toEqual([5, 0]);
  });
});
