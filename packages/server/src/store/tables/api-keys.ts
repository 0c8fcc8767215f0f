import type { Selectable } from 'kysely';
import type { ApiKeysTable } from '../database.js';
import type { ApiKeyRecord, ApiKeyStore } from '../types.js';
import { type StoreContext, spaceList, toNumber } from './store-context.js';

const toApiKey = (row: Selectable<ApiKeysTable>): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  keyHash: row.key_hash,
  keyPrefix: row.key_prefix,
  keyLast4: row.key_last4,
  scopes: spaceList(row.scopes),
  createdAt: Number(row.created_at),
  expiresAt: toNumber(row.expires_at),
  revokedAt: toNumber(row.revoked_at),
  lastUsedAt: toNumber(row.last_used_at),
});

export function apiKeyStore({ db }: StoreContext): ApiKeyStore {
  return {
    async insert(k) {
      await db
        .insertInto('api_keys')
        .values({
          id: k.id,
          name: k.name,
          key_hash: k.keyHash,
          key_prefix: k.keyPrefix,
          key_last4: k.keyLast4,
          scopes: k.scopes.join(' '),
          created_at: k.createdAt,
          expires_at: k.expiresAt,
          revoked_at: null,
          last_used_at: null,
        })
        .execute();
    },
    async findByHash(keyHash) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('key_hash', '=', keyHash)
        .executeTakeFirst();
      return row && toApiKey(row);
    },
    async list() {
      return (await db.selectFrom('api_keys').selectAll().orderBy('created_at').execute()).map(
        toApiKey,
      );
    },
    async revoke(id, now) {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows > 0n) return 'revoked';
      const exists = await db
        .selectFrom('api_keys')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst();
      return exists === undefined ? 'not_found' : 'already_revoked';
    },
    async touch(id, now) {
      await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}
