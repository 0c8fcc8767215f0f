import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

export function initialSchema(dialect: Dialect): Migration {
  // Unix seconds outlive 2038 only as 64-bit integers on PostgreSQL.
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('clients')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('auth_method', 'text', (c) => c.notNull())
        .addColumn('grant_types', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('audiences', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('access_token_ttl_seconds', 'integer')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_key_enc', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('active_from', time, (c) => c.notNull())
        .addColumn('retired_at', time)
        .execute();

      await db.schema
        .createTable('revoked_tokens')
        .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedAlwaysAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn('jti', 'text', (c) => c.notNull().unique())
        .addColumn('exp', time, (c) => c.notNull())
        .addColumn('revoked_at', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('revoked_tokens_exp')
        .on('revoked_tokens')
        .column('exp')
        .execute();

      await db.schema
        .createTable('gridkey_meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
