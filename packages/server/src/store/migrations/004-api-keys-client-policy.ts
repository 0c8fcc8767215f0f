import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/** API keys, and per-client token policy: budget, reuse, deprecation, last use. */
export function apiKeysSchema(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_prefix', 'text', (c) => c.notNull())
        .addColumn('key_last4', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('expires_at', time)
        .addColumn('revoked_at', time)
        .addColumn('last_used_at', time)
        .execute();
      for (const [column, type] of [
        ['token_budget_per_minute', 'integer'],
        ['reuse_tokens', 'integer'],
        ['deprecated_at', time],
        ['sunset_at', time],
        ['last_used_at', time],
      ] as const) {
        await db.schema.alterTable('clients').addColumn(column, type).execute();
      }
    },
  };
}
