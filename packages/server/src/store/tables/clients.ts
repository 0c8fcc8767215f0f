import type { Selectable } from 'kysely';
import type { ClientsTable } from '../database.js';
import type { ClientAuthMethod, ClientRecord, ClientStore } from '../types.js';
import { type StoreContext, spaceList } from './store-context.js';

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
      const rows = await db.selectFrom('clients').selectAll().orderBy('created_at').execute();
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
    async delete(clientId) {
      const result = await db
        .deleteFrom('clients')
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
