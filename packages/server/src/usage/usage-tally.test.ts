import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { steppingClock, temporaryStore } from '../lib/unit-fixtures.test-helper.js';
import { pruneOnce } from '../maintenance/pruner.js';
import type { UsageCount } from '../store/types.js';
import { UsageTally } from './usage-tally.js';

const T = 1_799_971_200; // 2027-01-15T00:00:00Z: a day, an hour and a minute boundary.

const retention = {
  spentRefreshTokenRetentionSeconds: 86400,
  auditRetentionSeconds: 86400,
  pruneBatchSize: 1000,
  pruneMaxBatchesPerRun: 100,
  usageMinuteRetentionSeconds: 3600,
  usageHourRetentionSeconds: 2 * 86400,
  usageDayRetentionSeconds: 30 * 86400,
};

async function setup() {
  const store = await temporaryStore();
  const clock = steppingClock(T);
  const errors: unknown[] = [];
  const tally = new UsageTally({
    store: store.usage,
    clock,
    onFlushError: (err) => errors.push(err),
  });
  const stored = (granularity: UsageCount['granularity']) =>
    store.usage.list({ granularity, from: 0, to: 2 * T });
  const compact = (rows: UsageCount[]) =>
    rows.map((r) => `${r.kind}:${r.id} ${r.bucketStart - T} ${r.metric}=${r.count}`);
  return { store, clock, errors, tally, stored, compact };
}

describe('the usage tally', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('counts in memory and writes nothing until flushed, then one batch per flush', async () => {
    const { store, tally, stored, compact } = await setup();
    dispose = store.dispose;
    for (let i = 0; i < 5; i++) tally.count('client', 'a', 'tokens_issued');
    tally.count('client', 'a', 'refused.too_many_requests');
    tally.count('pat', 'p', 'uses', 3);
    expect(tally.pendingCount).toBe(3);
    expect(await stored('minute')).toEqual([]);
    await tally.flush();
    expect(tally.pendingCount).toBe(0);
    expect(compact(await stored('minute'))).toEqual([
      'client:a 0 refused.too_many_requests=1',
      'client:a 0 tokens_issued=5',
      'pat:p 0 uses=3',
    ]);
    // A second flush adds to the stored counters rather than replacing them.
    tally.count('client', 'a', 'tokens_issued');
    await tally.flush();
    await tally.flush(); // nothing pending: nothing written
    expect(compact(await stored('minute'))).toContain('client:a 0 tokens_issued=6');
  });

  it('rolls minutes up into their hour and day when writing', async () => {
    const { store, clock, tally, stored, compact } = await setup();
    dispose = store.dispose;
    tally.count('api_key', 'k', 'uses'); // 08:00
    clock.advance(59 * 60 + 59);
    tally.count('api_key', 'k', 'uses'); // 08:59:59
    clock.advance(1);
    tally.count('api_key', 'k', 'uses', 2); // 09:00
    await tally.flush();
    expect(compact(await stored('minute'))).toEqual([
      'api_key:k 0 uses=1',
      'api_key:k 3540 uses=1',
      'api_key:k 3600 uses=2',
    ]);
    expect(compact(await stored('hour'))).toEqual(['api_key:k 0 uses=2', 'api_key:k 3600 uses=2']);
    expect(compact(await stored('day'))).toEqual(['api_key:k 0 uses=4']);
  });

  it('keeps the counts of a failed flush for the next one, reporting the failure once', async () => {
    const { store, tally, errors, stored, compact } = await setup();
    dispose = store.dispose;
    tally.count('client', 'a', 'tokens_issued', 2);
    // The table gone for a while: the database, not a stand-in, refuses the write.
    await sql`alter table usage_counts rename to usage_counts_away`.execute(store.db);
    await tally.flush();
    tally.count('client', 'a', 'tokens_issued');
    await tally.flush();
    expect(errors).toHaveLength(1);
    expect(tally.pendingCount).toBe(1);
    await sql`alter table usage_counts_away rename to usage_counts`.execute(store.db);
    await tally.flush();
    expect(compact(await stored('minute'))).toEqual(['client:a 0 tokens_issued=3']);
    expect(compact(await stored('day'))).toEqual(['client:a 0 tokens_issued=3']);
    expect(tally.pendingCount).toBe(0);
    expect(errors).toHaveLength(1);
  });

  it('writes what was counted during a flush in the next one, and concurrent flushes wait', async () => {
    const { store, tally, stored, compact } = await setup();
    dispose = store.dispose;
    tally.count('client', 'a', 'tokens_issued');
    const first = tally.flush();
    tally.count('client', 'a', 'tokens_issued');
    const second = tally.flush();
    await Promise.all([first, second]);
    expect(compact(await stored('hour'))).toEqual(['client:a 0 tokens_issued=2']);
  });

  it('is pruned per granularity by the pruner, each by its own retention', async () => {
    const { store, clock, tally, stored } = await setup();
    dispose = store.dispose;
    tally.count('client', 'a', 'tokens_issued');
    await tally.flush();
    const now = T + 3 * 86400;
    clock.advance(3 * 86400);
    tally.count('client', 'a', 'tokens_issued');
    await tally.flush();
    // An hour of minutes, two days of hours, 30 days of days.
    const run = await pruneOnce(store, now, retention);
    expect(run.removed['usage_counts.old']).toBe(2);
    expect((await stored('minute')).map((r) => r.bucketStart)).toEqual([now]);
    expect((await stored('hour')).map((r) => r.bucketStart)).toEqual([now]);
    expect((await stored('day')).map((r) => r.bucketStart)).toEqual([T, now]);
  });
});
