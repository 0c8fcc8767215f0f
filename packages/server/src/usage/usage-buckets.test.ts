import { describe, expect, it } from 'vitest';
import { bucketStart, rollUp } from './usage-buckets.js';

const T = 1_800_000_000; // 2027-01-15T08:00:00Z

describe('usage buckets', () => {
  it('start on UTC minute, hour and day boundaries', () => {
    const t = T + 3 * 3600 + 25 * 60 + 7;
    expect(bucketStart('minute', t)).toBe(T + 3 * 3600 + 25 * 60);
    expect(bucketStart('hour', t)).toBe(T + 3 * 3600);
    expect(bucketStart('day', t)).toBe(T - 8 * 3600);
    expect(new Date(bucketStart('day', t) * 1000).toISOString()).toBe('2027-01-15T00:00:00.000Z');
  });

  it('roll each minute up into its hour and day, summing per credential and metric', () => {
    const rows = rollUp([
      { kind: 'client', id: 'a', metric: 'tokens_issued', minute: T, count: 2 },
      { kind: 'client', id: 'a', metric: 'tokens_issued', minute: T + 60, count: 3 },
      { kind: 'client', id: 'b', metric: 'tokens_issued', minute: T + 60, count: 1 },
      { kind: 'client', id: 'a', metric: 'refused.invalid_client', minute: T + 3600, count: 1 },
    ]);
    const of = (g: string) =>
      rows
        .filter((r) => r.granularity === g)
        .map((r) => `${r.id} ${r.bucketStart - T} ${r.metric}=${r.count}`)
        .sort();
    expect(of('minute')).toEqual([
      'a 0 tokens_issued=2',
      'a 3600 refused.invalid_client=1',
      'a 60 tokens_issued=3',
      'b 60 tokens_issued=1',
    ]);
    expect(of('hour')).toEqual([
      'a 0 tokens_issued=5',
      'a 3600 refused.invalid_client=1',
      'b 0 tokens_issued=1',
    ]);
    expect(of('day')).toEqual([
      'a -28800 refused.invalid_client=1',
      'a -28800 tokens_issued=5',
      'b -28800 tokens_issued=1',
    ]);
  });
});
