import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Usage counts (docs/operations.md, "Usage"): per credential (client, API
 * key, PAT), per time bucket (minute, hour, day) and per metric
 * (`tokens_issued`, `uses`, `refused.<OAuth error code>`).
 *
 * One (metric, count) row per counter rather than a column per counter: the
 * refusal reasons are an open set (every OAuth error code, and those a
 * profile adds), so a new one needs no migration; most buckets hold one or
 * two metrics, so rows stay sparse where columns would be mostly zero; and
 * every write is the same upsert-increment (`count = count + excluded.count`).
 *
 * The surrogate `id` is what the pruner's bounded deletes select by (`id in
 * (select id … limit n)`, the same on both dialects); the unique key is what
 * the upsert conflicts on and what a credential's query reads by prefix. The
 * (granularity, bucket_start) index serves pruning and the per-client totals.
 */
export function usageCountsSchema(dialect: Dialect): Migration {
  const int64 = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('usage_counts')
        .addColumn('id', int64, (c) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedAlwaysAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn('credential_kind', 'text', (c) => c.notNull())
        .addColumn('credential_id', 'text', (c) => c.notNull())
        .addColumn('granularity', 'text', (c) => c.notNull())
        .addColumn('bucket_start', int64, (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('count', int64, (c) => c.notNull())
        .addUniqueConstraint('usage_counts_key', [
          'credential_kind',
          'credential_id',
          'granularity',
          'bucket_start',
          'metric',
        ])
        .execute();
      await db.schema
        .createIndex('usage_counts_bucket')
        .on('usage_counts')
        .columns(['granularity', 'bucket_start'])
        .execute();
    },
  };
}
