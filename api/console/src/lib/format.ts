// Sizes in decimal units (1 KB = 1000 B), as the API's MB/s and the reference's "2.1/7.0 GB" are.
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 0 B, 512 B, 1.5 KB, 12 MB, 2.1 GB: one decimal below 10, none above. */
export function bytes(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value) || value < 0) {
    return '—';
  }
  let scaled = value;
  let unit = 0;
  while (scaled >= 1000 && unit < UNITS.length - 1) {
    scaled /= 1000;
    unit++;
  }
  if (unit === 0) {
    return `${Math.round(scaled)} B`;
  }
  return `${scaled < 10 ? scaled.toFixed(1) : Math.round(scaled)} ${UNITS[unit]}`;
}

/** "2.1/7.0 GB": both in the larger one's unit, one decimal, as the session's unpacking bar reads. */
export function bytesOf(done: number, total: number): string {
  let unit = 0;
  let divisor = 1;
  while (total / divisor >= 1000 && unit < UNITS.length - 1) {
    divisor *= 1000;
    unit++;
  }
  return `${(done / divisor).toFixed(1)}/${(total / divisor).toFixed(1)} ${UNITS[unit]}`;
}

/** Megabytes as the API counts them (memory_mb): 512 MB, 2 GB, 1.5 GB. */
export function megabytes(mb: number | undefined): string {
  return mb === undefined ? '—' : bytes(mb * 1e6);
}

/** 850 ms, 4.2 s, 1 min 5 s, 2 h 3 min, 3 d 4 h: the two largest units, nothing below a second past a minute. */
export function duration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms) || ms < 0) {
    return '—';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 10_000) {
    return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const parts: [number, string][] = [
    [Math.floor(seconds / 86400), 'd'],
    [Math.floor((seconds % 86400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'min'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(' ');
}

/** How long ago, from an ISO time: "12 s ago", "3 min ago"; "—" without one. */
export function ago(iso: string | undefined | null, now: number): string {
  if (!iso) {
    return '—';
  }
  return `${duration(Math.max(0, now - Date.parse(iso)))} ago`;
}

/** Between two ISO times, or from the first to now when the second is missing. */
export function between(start: string | undefined, end: string | undefined, now: number): string {
  if (!start) {
    return '—';
  }
  return duration((end ? Date.parse(end) : now) - Date.parse(start));
}

/** A local date and time without seconds: 2026-12-06 14:03. */
export function when(iso: string | undefined | null): string {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.max(0, Math.min(100, (part / whole) * 100)) : 0;
}

/** MB/s between consecutive cumulative byte samples (1 MB = 1e6 B, as the API's write_rate_mbps). */
export function rates(samples: { t?: string; write_bytes?: number }[]): number[] {
  const result: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const seconds = (Date.parse(samples[i].t ?? '') - Date.parse(samples[i - 1].t ?? '')) / 1000;
    const written = (samples[i].write_bytes ?? 0) - (samples[i - 1].write_bytes ?? 0);
    result.push(seconds > 0 ? Math.max(0, written) / 1e6 / seconds : 0);
  }
  return result;
}
