import type { CredentialKind, UsageCount, UsageGranularity } from '../store/types.js';

/** Each granularity's width in seconds; buckets start on UTC minute, hour and day boundaries. */
export const BUCKET_SECONDS: Readonly<Record<UsageGranularity, number>> = Object.freeze({
  minute: 60,
  hour: 3600,
  day: 86400,
});

export const GRANULARITIES: readonly UsageGranularity[] = ['minute', 'hour', 'day'];

/** The first second of the bucket holding `seconds` (unix seconds). */
export function bucketStart(granularity: UsageGranularity, seconds: number): number {
  const width = BUCKET_SECONDS[granularity];
  return Math.floor(seconds / width) * width;
}

/** A count made in one minute, before it is rolled up. */
export interface MinuteCount {
  kind: CredentialKind;
  id: string;
  metric: string;
  minute: number;
  count: number;
}

/**
 * The rows one batch adds: each minute's counts as they are, and summed
 * into their hour and their day. Rolling up when writing, not by a later
 * job over the minute rows, keeps each granularity exact on its own (a
 * minute pruned early never shortens its hour) and stays right with many
 * nodes, since every row is only ever added to.
 */
export function rollUp(minutes: Iterable<MinuteCount>): UsageCount[] {
  const rows = new Map<string, UsageCount>();
  for (const m of minutes) {
    for (const granularity of GRANULARITIES) {
      const start = bucketStart(granularity, m.minute);
      const key = `${m.kind}\u0000${m.id}\u0000${m.metric}\u0000${granularity}\u0000${start}`;
      const row = rows.get(key);
      if (row === undefined) {
        rows.set(key, {
          kind: m.kind,
          id: m.id,
          granularity,
          bucketStart: start,
          metric: m.metric,
          count: m.count,
        });
      } else {
        row.count += m.count;
      }
    }
  }
  return [...rows.values()];
}
