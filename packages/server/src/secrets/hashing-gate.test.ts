import { afterEach, describe, expect, it, vi } from 'vitest';
import { HashingBusyError, HashingGate } from './hashing-gate.js';

/** A task that finishes when told to. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('HashingGate', () => {
  it('runs at most maxInFlight tasks, queues maxQueued and refuses the next with 503', async () => {
    const gate = new HashingGate({
      maxInFlight: 2,
      maxQueued: 1,
      retryAfterSeconds: 3,
      maxWaitSeconds: 60,
    });
    const tasks = [deferred<number>(), deferred<number>(), deferred<number>()];
    const started: number[] = [];
    const runs = tasks.map((task, index) =>
      gate.run(() => {
        started.push(index);
        return task.promise;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect([gate.inFlight, gate.queued]).toEqual([2, 1]);

    const refused = await gate.run(async () => 'never').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HashingBusyError);
    expect(refused).toMatchObject({
      status: 503,
      error: 'temporarily_unavailable',
      headers: { 'retry-after': '3' },
    });

    tasks[0]?.resolve(0);
    await flush();
    expect(started).toEqual([0, 1, 2]);
    expect([gate.inFlight, gate.queued]).toEqual([2, 0]);
    tasks[1]?.resolve(1);
    tasks[2]?.resolve(2);
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });

  it('frees the slot of a task that fails, and passes the failure on', async () => {
    const gate = new HashingGate({
      maxInFlight: 1,
      maxQueued: 0,
      retryAfterSeconds: 1,
      maxWaitSeconds: 60,
    });
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(gate.inFlight).toBe(0);
    expect(await gate.run(async () => 'next')).toBe('next');
  });

  it('starts waiting tasks in arrival order', async () => {
    const gate = new HashingGate({
      maxInFlight: 1,
      maxQueued: 10,
      retryAfterSeconds: 1,
      maxWaitSeconds: 60,
    });
    const first = deferred();
    const order: number[] = [];
    const runs = [gate.run(() => first.promise)];
    for (let index = 1; index <= 5; index += 1) {
      runs.push(
        gate.run(async () => {
          order.push(index);
        }),
      );
    }
    first.resolve();
    await Promise.all(runs);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it('with no queue, refuses every task beyond the ones running', async () => {
    const gate = new HashingGate({
      maxInFlight: 1,
      maxQueued: 0,
      retryAfterSeconds: 1,
      maxWaitSeconds: 60,
    });
    const first = deferred();
    const running = gate.run(() => first.promise);
    await expect(gate.run(async () => undefined)).rejects.toBeInstanceOf(HashingBusyError);
    first.resolve();
    await running;
  });

  describe('with fake timers', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('refuses a task that waited maxWaitSeconds, and keeps the queue in order', async () => {
      vi.useFakeTimers();
      const gate = new HashingGate({
        maxInFlight: 1,
        maxQueued: 5,
        retryAfterSeconds: 1,
        maxWaitSeconds: 2,
      });
      const first = deferred();
      const running = gate.run(() => first.promise);
      const early = gate.run(async () => 'early').catch((err: unknown) => err);
      await vi.advanceTimersByTimeAsync(1000);
      const late = gate.run(async () => 'late');
      await vi.advanceTimersByTimeAsync(1000);
      expect(await early).toBeInstanceOf(HashingBusyError);
      expect(gate.queued).toBe(1);
      first.resolve();
      await running;
      expect(await late).toBe('late');
      expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
    });
  });

  it('refuses settings that would not bound anything', () => {
    expect(
      () =>
        new HashingGate({ maxInFlight: 0, maxQueued: 1, retryAfterSeconds: 1, maxWaitSeconds: 60 }),
    ).toThrow(RangeError);
    expect(
      () =>
        new HashingGate({
          maxInFlight: 1,
          maxQueued: -1,
          retryAfterSeconds: 1,
          maxWaitSeconds: 60,
        }),
    ).toThrow(RangeError);
  });
});
