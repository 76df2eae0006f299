import { describe, expect, it } from 'vitest';
import { BuildLog, SseParser, type StreamEvent } from './buildlog';
import { newText } from './tail';

const ev = (name: string, data: object): StreamEvent => ({ name, data: JSON.stringify(data) });
const start = (step: number) => ev('step-start', { step, phase: 'recipe', command: `RUN step-${step}` });
const log = (step: number, text: string, stream = 'stdout') => ev('log', { step, stream, text });

describe('BuildLog', () => {
  it('appends the running step output as log events bring it', () => {
    const build = new BuildLog();
    [ev('status', { status: 'running' }), start(1), log(1, 'tick 1\n'), log(1, 'tick 2\n')].forEach((e) => build.apply(e));

    expect(build.steps()[0].stdout).toBe('tick 1\ntick 2\n');
    expect(build.steps()[0].running).toBe(true);
  });

  it('resumes after a dropped connection without showing any line twice', () => {
    const build = new BuildLog();
    [ev('status', { status: 'running' }), start(1), ev('step-end', { step: 1, stdout: 'one\n', stderr: '', exit_code: 0, ok: true }), start(2), log(2, 'a\nb\n')]
      .forEach((e) => build.apply(e));

    // The new connection replays the history, then sends the running step's whole tail, which overlaps what is shown.
    build.reconnected();
    [ev('status', { status: 'running' }), start(1), ev('step-end', { step: 1, stdout: 'one\n', stderr: '', exit_code: 0, ok: true }), start(2), log(2, 'a\nb\nc\n'), log(2, 'd\n')]
      .forEach((e) => build.apply(e));

    const [first, second] = build.steps();
    expect(first.stdout).toBe('one\n');
    expect(first.ok).toBe(true);
    expect(second.stdout).toBe('a\nb\nc\nd\n');
    expect(second.running).toBe(true);
  });

  it('appends a live delta as it comes even when it repeats the end of what is shown', () => {
    const build = new BuildLog();
    [start(1), log(1, 'ab'), log(1, 'b')].forEach((e) => build.apply(e));

    expect(build.steps()[0].stdout).toBe('abb');
  });

  it('merges the stored tail of a step end with what was tailed live', () => {
    const build = new BuildLog();
    [start(1), log(1, 'x\ny\n', 'stderr'), ev('step-end', { step: 1, stdout: '', stderr: 'y\nz\n', exit_code: 2, ok: false })].forEach((e) => build.apply(e));

    expect(build.steps()[0].stderr).toBe('x\ny\nz\n');
    expect(build.steps()[0].exit_code).toBe(2);
  });

  it('starts a retried step again with no output', () => {
    const build = new BuildLog();
    [start(1), ev('step-end', { step: 1, stdout: 'lost host\n', exit_code: 1, ok: false }), start(1)].forEach((e) => build.apply(e));

    expect(build.steps()[0]).toMatchObject({ stdout: '', running: true });
  });

  it('reports the terminal status as the end of the stream', () => {
    const build = new BuildLog();

    expect(build.apply(ev('status', { status: 'running' }))).toBe(false);
    expect(build.apply(ev('status', { status: 'cancelled', cancelled_by: 'key-1' }))).toBe(true);
    expect(build.status?.cancelled_by).toBe('key-1');
  });
});

describe('SseParser', () => {
  it('splits events across chunks and drops keep-alive comments', () => {
    const parser = new SseParser();

    expect(parser.push('event: status\ndata: {"status":"run')).toEqual([]);
    expect(parser.push('ning"}\n\n: keep-alive\n\nevent: log\r\ndata: {}\r\n\r\n')).toEqual([
      { name: 'status', data: '{"status":"running"}' },
      { name: 'log', data: '{}' },
    ]);
  });
});

describe('newText', () => {
  it('returns what follows the longest overlap of the shown text and the new tail', () => {
    expect(newText('', 'abc')).toBe('abc');
    expect(newText('hello wor', 'world!')).toBe('ld!');
    expect(newText('abc', 'abc')).toBe('');
    expect(newText('abc', 'xyz')).toBe('xyz');
    expect(newText('aaaa', 'aab')).toBe('b');
  });
});
