import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../database.js';

/** Login tokens (enectiva profile), the access tokens derived from them, and key numbers. */
export function loginTokensSchema(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('login_tokens')
        .addColumn('id', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedAlwaysAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn('customer_uuid', 'text', (c) => c.notNull())
        .addColumn('subject_uuid', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('expires_at', time)
        .addColumn('revoked_at', time)
        .addColumn('last_used_at', time)
        .execute();
      await db.schema
        .createIndex('login_tokens_customer')
        .on('login_tokens')
        .column('customer_uuid')
        .execute();

      // Access tokens are stateless, except that revoking their parent must
      // be able to name them: the feed then carries their jtis.
      await db.schema
        .createTable('derived_tokens')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('parent_kind', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.notNull())
        .addColumn('exp', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('derived_tokens_parent')
        .on('derived_tokens')
        .columns(['parent_kind', 'parent_id'])
        .execute();

      // The enectiva `key` claim: a small number per signing key.
      await db.schema.alterTable('signing_keys').addColumn('number', 'integer').execute();
      await sql`update signing_keys set number = (select count(*) from signing_keys k2 where k2.created_at < signing_keys.created_at or (k2.created_at = signing_keys.created_at and k2.kid <= signing_keys.kid))`.execute(
        db,
      );
    },
  };
}
