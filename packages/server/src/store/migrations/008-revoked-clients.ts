import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The kill switch for a client (issue: a leaked secret or a deleted client):
 * every access token it was issued at or before `revoked_before` is revoked.
 * One row per client, not one per token: client_credentials tokens are not
 * stored, and issuing them must stay free of writes.
 */
export function revokedClientsSchema(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('revoked_clients')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('revoked_before', time, (c) => c.notNull())
        // When every token it could refuse has expired: then it is pruned.
        .addColumn('exp', time, (c) => c.notNull())
        .execute();
    },
  };
}
