import { describe, expect, it } from 'vitest';
import { Latest } from './latest';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Latest', () => {
  it('drops an answer that arrives after a newer call started', async () => {
    const latest = new Latest();
    const applied: string[] = [];
    const slow = deferred<string>();
    const fast = deferred<string>();

    const first = latest.run(() => slow.promise, (v) => applied.push(v));
    const second = latest.run(() => fast.promise, (v) => applied.push(v));
    fast.resolve('filter=running');
    slow.resolve('filter=all');
    await Promise.all([first, second]);

    expect(applied).toEqual(['filter=running']);
  });

  it('drops the failure of a stale call too', async () => {
    const latest = new Latest();
    const failures: unknown[] = [];
    const slow = deferred<string>();

    const first = latest.run(() => slow.promise, () => {}, (e) => failures.push(e));
    const second = latest.run(async () => 'ok', () => {}, (e) => failures.push(e));
    slow.reject(new Error('late'));
    await Promise.all([first, second]);

    expect(failures).toEqual([]);
  });

  it('drops every answer on its way once invalidated', async () => {
    const latest = new Latest();
    const applied: string[] = [];
    const pending = deferred<string>();

    const call = latest.run(() => pending.promise, (v) => applied.push(v));
    latest.invalidate();
    pending.resolve('late');
    await call;

    expect(applied).toEqual([]);
  });
});
