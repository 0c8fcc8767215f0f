/**
 * Store contract: usage counts, on every store target. The tests share one
 * store and keep to credential ids of their own.
 */
import { describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import type { UsageCount } from '../../src/store/types.js';
import { RACERS, T, uid, useStore } from './store-contract-helpers.js';

const count = (over: Partial<UsageCount> = {}): UsageCount => ({
  kind: 'client',
  id: 'c',
  granularity: 'minute',
  bucketStart: T,
  metric: 'tokens_issued',
  count: 1,
  ...over,
});

describe.each(storeTargets())('store contract: usage on $kind', (target) => {
  const store = useStore(target);
  const minutes = (id: string, kind: UsageCount['kind'] = 'client') =>
    store().usage.list({ granularity: 'minute', from: T - 86400, to: T + 86400, kind, id });

  it('adds to a counter that exists and creates one that does not, in one batch', async () => {
    const id = uid('add');
    await store().usage.add([count({ id, count: 2 })]);
    await store().usage.add([
      count({ id, count: 3 }),
      count({ id, metric: 'refused.invalid_client' }),
      count({ id, bucketStart: T + 60, count: 4 }),
    ]);
    expect(await minutes(id)).toEqual([
      count({ id, metric: 'refused.invalid_client' }),
      count({ id, count: 5 }),
      count({ id, bucketStart: T + 60, count: 4 }),
    ]);
  });

  it('keeps granularities, kinds and ids apart', async () => {
    const id = uid('apart');
    await store().usage.add([
      count({ id }),
      count({ id, granularity: 'hour', count: 7 }),
      count({ id, kind: 'pat', metric: 'uses', count: 2 }),
      count({ id: `${id}-other`, count: 9 }),
    ]);
    expect(await minutes(id)).toEqual([count({ id })]);
    expect(await minutes(id, 'pat')).toEqual([
      count({ id, kind: 'pat', metric: 'uses', count: 2 }),
    ]);
    expect(
      await store().usage.list({ granularity: 'hour', from: T, to: T + 1, kind: 'client', id }),
    ).toEqual([count({ id, granularity: 'hour', count: 7 })]);
  });

  it('lists buckets starting in [from, to), by bucket, kind, id and metric', async () => {
    const id = uid('range');
    const rows = [T - 60, T, T + 60, T + 120].map((bucketStart) => count({ id, bucketStart }));
    await store().usage.add(rows);
    const listed = await store().usage.list({
      granularity: 'minute',
      from: T,
      to: T + 120,
      kind: 'client',
      id,
    });
    expect(listed.map((r) => r.bucketStart)).toEqual([T, T + 60]);
    // Without an id: every credential of the kind; without a kind: every kind.
    const a = `${id}-a`;
    const b = `${id}-b`;
    await store().usage.add([
      count({ id: b, bucketStart: T + 7200 }),
      count({ id: a, bucketStart: T + 7200, metric: 'uses', kind: 'api_key' }),
      count({ id: a, bucketStart: T + 7200 }),
    ]);
    const all = (await store().usage.list({ granularity: 'minute', from: T + 7200, to: T + 7201 }))
      .filter((r) => r.id.startsWith(id))
      .map((r) => `${r.kind}:${r.id.slice(-1)}:${r.metric}`);
    expect(all).toEqual(['api_key:a:uses', 'client:a:tokens_issued', 'client:b:tokens_issued']);
  });

  it('writes a batch whole or not at all', async () => {
    const id = uid('atomic');
    const bad = { ...count({ id, bucketStart: T + 60 }), metric: null as unknown as string };
    await expect(store().usage.add([count({ id }), bad])).rejects.toThrow();
    expect(await minutes(id)).toEqual([]);
  });

  it('loses no increment when nodes add to the same counters at once', async () => {
    const id = uid('race');
    const batch = [
      count({ id }),
      count({ id, metric: 'uses', kind: 'pat' }),
      count({ id, bucketStart: T + 60 }),
    ];
    await Promise.all(Array.from({ length: RACERS }, () => store().usage.add(batch)));
    expect((await minutes(id)).map((r) => r.count)).toEqual([RACERS, RACERS]);
    expect((await minutes(id, 'pat')).map((r) => r.count)).toEqual([RACERS]);
  });

  it('adds a batch larger than one statement', async () => {
    const id = uid('large');
    const rows = Array.from({ length: 1201 }, (_, i) => count({ id, bucketStart: T + i * 60 }));
    await store().usage.add(rows);
    const listed = await store().usage.list({
      granularity: 'minute',
      from: T,
      to: T + 1201 * 60,
      kind: 'client',
      id,
    });
    expect(listed).toHaveLength(1201);
  });

  it('sums one metric per credential over the range, largest first, then by id, up to limit', async () => {
    const kind = 'client' as const;
    const p = uid('totals');
    // A granularity and range of its own, so that other tests' rows stay out.
    const day = T + 400 * 86400;
    await store().usage.add([
      count({ id: `${p}-b`, granularity: 'day', bucketStart: day, count: 3 }),
      count({ id: `${p}-b`, granularity: 'day', bucketStart: day + 86400, count: 4 }),
      count({ id: `${p}-a`, granularity: 'day', bucketStart: day, count: 7 }),
      count({ id: `${p}-c`, granularity: 'day', bucketStart: day, count: 2 }),
      count({ id: `${p}-c`, granularity: 'day', bucketStart: day, metric: 'uses', count: 50 }),
      // Outside the range.
      count({ id: `${p}-c`, granularity: 'day', bucketStart: day + 2 * 86400, count: 90 }),
    ]);
    const range = { granularity: 'day' as const, from: day, to: day + 2 * 86400, kind };
    expect(await store().usage.totals({ ...range, metric: 'tokens_issued', limit: 10 })).toEqual([
      { id: `${p}-a`, count: 7 },
      { id: `${p}-b`, count: 7 },
      { id: `${p}-c`, count: 2 },
    ]);
    expect(await store().usage.totals({ ...range, metric: 'tokens_issued', limit: 1 })).toEqual([
      { id: `${p}-a`, count: 7 },
    ]);
    expect(
      await store().usage.totals({ ...range, kind: 'pat', metric: 'tokens_issued', limit: 10 }),
    ).toEqual([]);
  });
});
