import type { CredentialKind, UsageCount, UsageGranularity, UsageStore } from '../types.js';
import type { StoreContext } from './store-context.js';

/** Rows per insert statement: 6 parameters each, far below either dialect's limit. */
const ROWS_PER_STATEMENT = 500;

const KEY = ['credential_kind', 'credential_id', 'granularity', 'bucket_start', 'metric'] as const;

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One order for every batch (code units, not a locale's), so that two nodes
 * adding to the same counters take their row locks in the same order and
 * cannot deadlock each other.
 */
const byKey = (a: UsageCount, b: UsageCount): number =>
  compare(a.kind, b.kind) ||
  compare(a.id, b.id) ||
  compare(a.granularity, b.granularity) ||
  a.bucketStart - b.bucketStart ||
  compare(a.metric, b.metric);

export function usageStore({ db }: StoreContext): UsageStore {
  return {
    async add(counts) {
      if (counts.length === 0) return;
      const rows = [...counts].sort(byKey).map((c) => ({
        credential_kind: c.kind,
        credential_id: c.id,
        granularity: c.granularity,
        bucket_start: c.bucketStart,
        metric: c.metric,
        count: c.count,
      }));
      // One transaction: a batch that fails half-way must leave nothing, or
      // retrying it (the recorder keeps what it could not write) counts twice.
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          await trx
            .insertInto('usage_counts')
            .values(rows.slice(i, i + ROWS_PER_STATEMENT))
            .onConflict((oc) =>
              oc.columns(KEY).doUpdateSet((eb) => ({
                count: eb('usage_counts.count', '+', eb.ref('excluded.count')),
              })),
            )
            .execute();
        }
      });
    },

    async list({ granularity, from, to, kind, id }) {
      let query = db
        .selectFrom('usage_counts')
        .select([...KEY, 'count'])
        .where('granularity', '=', granularity)
        .where('bucket_start', '>=', from)
        .where('bucket_start', '<', to);
      if (kind !== undefined) query = query.where('credential_kind', '=', kind);
      if (id !== undefined) query = query.where('credential_id', '=', id);
      const rows = await query
        .orderBy('bucket_start')
        .orderBy('credential_kind')
        .orderBy('credential_id')
        .orderBy('metric')
        .execute();
      return rows.map((r) => ({
        kind: r.credential_kind as CredentialKind,
        id: r.credential_id,
        granularity: r.granularity as UsageGranularity,
        bucketStart: Number(r.bucket_start),
        metric: r.metric,
        count: Number(r.count),
      }));
    },

    async totals({ granularity, from, to, kind, metric, limit }) {
      const rows = await db
        .selectFrom('usage_counts')
        .select((eb) => ['credential_id', eb.fn.sum<number | string>('count').as('total')])
        .where('granularity', '=', granularity)
        .where('bucket_start', '>=', from)
        .where('bucket_start', '<', to)
        .where('credential_kind', '=', kind)
        .where('metric', '=', metric)
        .groupBy('credential_id')
        .orderBy('total', 'desc')
        .orderBy('credential_id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.credential_id, count: Number(r.total) }));
    },
  };
}
