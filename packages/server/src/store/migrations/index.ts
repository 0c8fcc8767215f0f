import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../database.js';
import { initialSchema } from './001-initial.js';
import { loginTokensSchema } from './002-login-tokens.js';
import { usersSchema } from './003-users-refresh-tokens.js';
import { apiKeysSchema } from './004-api-keys-client-policy.js';
import { patsSchema } from './005-pats-audit.js';
import { tokenEventsSchema } from './006-token-events.js';
import { resourceServerClientsSchema } from './007-resource-server-clients.js';
import { revokedClientsSchema } from './008-revoked-clients.js';
import { pruningIndexesSchema } from './009-pruning-indexes.js';
import { emailSkeletonsSchema } from './010-email-skeletons.js';
import { usageCountsSchema } from './011-usage-counts.js';
import { auditOutcomeSchema } from './012-audit-outcome.js';

/** Migrations live in code (not files on disk) so the built package carries them. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '001-initial': initialSchema(dialect),
        '002-login-tokens': loginTokensSchema(dialect),
        '003-users-refresh-tokens': usersSchema(dialect),
        '004-api-keys-client-policy': apiKeysSchema(dialect),
        '005-pats-audit': patsSchema(dialect),
        '006-token-events': tokenEventsSchema(dialect),
        '007-resource-server-clients': resourceServerClientsSchema(dialect),
        '008-revoked-clients': revokedClientsSchema(dialect),
        '009-pruning-indexes': pruningIndexesSchema(),
        '010-email-skeletons': emailSkeletonsSchema(),
        '011-usage-counts': usageCountsSchema(dialect),
        '012-audit-outcome': auditOutcomeSchema(),
      };
    },
  };
}
