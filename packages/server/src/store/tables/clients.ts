import type { Selectable } from 'kysely';
import type { ClientsTable } from '../database.js';
import type { ClientAuthMethod, ClientRecord, ClientStore } from '../types.js';
import { type StoreContext, spaceList, toNumber } from './store-context.js';

const toClient = (row: Selectable<ClientsTable>): ClientRecord => ({
  clientId: row.client_id,
  name: row.name,
  secretHash: row.secret_hash,
  authMethod: row.auth_method as ClientAuthMethod,
  grantTypes: spaceList(row.grant_types),
  scopes: spaceList(row.scopes),
  audiences: spaceList(row.audiences),
  accessTokenTtlSeconds: row.access_token_ttl_seconds,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  tokenBudgetPerMinute: row.token_budget_per_minute,
  reuseTokens: row.reuse_tokens === 1,
  deprecatedAt: toNumber(row.deprecated_at),
  sunsetAt: toNumber(row.sunset_at),
  lastUsedAt: toNumber(row.last_used_at),
  resourceServer: Number(row.resource_server) === 1,
});

export function clientStore({ db }: StoreContext): ClientStore {
  return {
    async insert(c) {
      await db
        .insertInto('clients')
        .values({
          client_id: c.clientId,
          name: c.name,
          secret_hash: c.secretHash,
          auth_method: c.authMethod,
          grant_types: c.grantTypes.join(' '),
          scopes: c.scopes.join(' '),
          audiences: c.audiences.join(' '),
          access_token_ttl_seconds: c.accessTokenTtlSeconds,
          created_at: c.createdAt,
          updated_at: c.updatedAt,
          token_budget_per_minute: c.tokenBudgetPerMinute,
          reuse_tokens: c.reuseTokens ? 1 : 0,
          deprecated_at: c.deprecatedAt,
          sunset_at: c.sunsetAt,
          last_used_at: c.lastUsedAt,
          resource_server: c.resourceServer ? 1 : 0,
        })
        .execute();
    },
    async findById(clientId) {
      const row = await db
        .selectFrom('clients')
        .selectAll()
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && toClient(row);
    },
    async list() {
      const rows = await db
        .selectFrom('clients')
        .selectAll()
        .orderBy('created_at')
        .orderBy('client_id')
        .execute();
      return rows.map(toClient);
    },
    async updateSecretHash(clientId, secretHash, now) {
      const result = await db
        .updateTable('clients')
        .set({ secret_hash: secretHash, updated_at: now })
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async updatePolicy(clientId, u, now) {
      const result = await db
        .updateTable('clients')
        .set({
          updated_at: now,
          ...(u.tokenBudgetPerMinute === undefined
            ? {}
            : { token_budget_per_minute: u.tokenBudgetPerMinute }),
          ...(u.reuseTokens === undefined ? {} : { reuse_tokens: u.reuseTokens ? 1 : 0 }),
          ...(u.deprecatedAt === undefined ? {} : { deprecated_at: u.deprecatedAt }),
          ...(u.sunsetAt === undefined ? {} : { sunset_at: u.sunsetAt }),
        })
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async touch(clientId, now) {
      await db
        .updateTable('clients')
        .set({ last_used_at: now })
        .where('client_id', '=', clientId)
        .execute();
    },
    async delete(clientId) {
      const result = await db
        .deleteFrom('clients')
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
