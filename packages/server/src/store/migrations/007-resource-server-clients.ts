import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Resource-server clients (RFC 7662 §4): a client so flagged may introspect
 * every token; any other only its own and those whose audience names it.
 * Existing clients start unflagged, which narrows what they may introspect.
 */
export function resourceServerClientsSchema(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('clients')
        .addColumn('resource_server', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
