import type { Selectable } from 'kysely';
import type { ApiKeysTable } from '../database.js';
import type { ApiKeyRecord, ApiKeyStore } from '../types.js';
import { LOCKS, type StoreContext, spaceList, toNumber } from './store-context.js';
import { appendTokenEvents, KEY_EVENT_RETENTION_SECONDS } from './token-events.js';

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

export function apiKeyStore({ db, serialise }: StoreContext): ApiKeyStore {
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
      return (
        await db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute()
      ).map(toApiKey);
    },
    async revoke(id, now) {
      return db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        const row = await trx
          .selectFrom('api_keys')
          .select('revoked_at')
          .where('id', '=', id)
          .executeTakeFirst();
        if (row === undefined) return 'not_found';
        if (row.revoked_at !== null) return 'already_revoked';
        await trx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).execute();
        // Verifiers cache an introspected key briefly; the feed makes them drop it.
        await appendTokenEvents(trx, [
          { type: 'api_key.revoked', keyId: id, at: now, exp: now + KEY_EVENT_RETENTION_SECONDS },
        ]);
        return 'revoked';
      });
    },
    async touch(id, now) {
      await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}
