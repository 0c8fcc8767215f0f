import type { Kysely, Migration } from 'kysely';

/**
 * Indexes for the pruner (docs/operations.md, "Pruning"): each of its
 * deletes selects a bounded batch by one time column, so that a batch is an
 * index range scan and never a scan of the whole table.
 */
export function pruningIndexesSchema(): Migration {
  const indexes: [name: string, table: string, column: string][] = [
    ['refresh_tokens_expires_at', 'refresh_tokens', 'expires_at'],
    ['refresh_tokens_spent_at', 'refresh_tokens', 'spent_at'],
    ['refresh_tokens_revoked_at', 'refresh_tokens', 'revoked_at'],
    ['derived_tokens_exp', 'derived_tokens', 'exp'],
    ['revoked_clients_exp', 'revoked_clients', 'exp'],
    ['audit_log_at', 'audit_log', 'at'],
  ];
  return {
    async up(db: Kysely<unknown>) {
      for (const [name, table, column] of indexes) {
        await db.schema.createIndex(name).on(table).column(column).execute();
      }
    },
  };
}
