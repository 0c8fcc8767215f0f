import { describe, expect, it } from 'vitest';
import { BatchedDestination, type FlushableDestination } from './batched-destination.js';

/** Records what reaches the destination underneath, and when it was asked to flush. */
function recordingDestination() {
  const calls: string[] = [];
  const destination: FlushableDestination = {
    write: (chunk: string) => {
      calls.push(`write ${chunk}`);
    },
    flush: (cb) => {
      calls.push('flush');
      cb?.();
    },
    flushSync: () => {
      calls.push('flushSync');
    },
  };
  return { calls, destination };
}

describe('BatchedDestination', () => {
  it('hands lines on in order, a full batch at a time', () => {
    const { calls, destination } = recordingDestination();
    const batched = new BatchedDestination(destination, 3);
    for (const line of ['a\n', 'b\n', 'c\n', 'd\n']) batched.write(line);
    expect(calls).toEqual(['write a\nb\nc\n']);
  });

  it('writes a partial batch before flushing the destination', () => {
    const { calls, destination } = recordingDestination();
    const batched = new BatchedDestination(destination, 64);
    batched.write('a\n');
    batched.write('b\n');
    let flushed = false;
    batched.flush(() => {
      flushed = true;
    });
    expect(calls).toEqual(['write a\nb\n', 'flush']);
    expect(flushed).toBe(true);
    batched.flushSync();
    expect(calls).toEqual(['write a\nb\n', 'flush', 'flushSync']);
  });

  it('survives a destination that can no longer flush', () => {
    const { calls, destination } = recordingDestination();
    destination.flushSync = () => {
      throw new Error('SonicBoom destroyed');
    };
    const batched = new BatchedDestination(destination, 64);
    batched.write('last\n');
    expect(() => batched.flushSync()).not.toThrow();
    expect(calls).toEqual(['write last\n']);
  });
});
