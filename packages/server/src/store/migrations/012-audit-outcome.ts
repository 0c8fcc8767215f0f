import type { Kysely, Migration } from 'kysely';

/**
 * How each audited action ended (`ok`, `refused`, `failed`): refused and
 * failed attempts are audited too. Every row from before was a success, so
 * the default `ok` describes them truly.
 */
export function auditOutcomeSchema(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('audit_log')
        .addColumn('outcome', 'text', (c) => c.notNull().defaultTo('ok'))
        .execute();
    },
  };
}
