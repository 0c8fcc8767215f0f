import type { Selectable } from 'kysely';
import type { LoginTokensTable } from '../database.js';
import type { LoginTokenRecord, LoginTokenStore } from '../types.js';
import { recordDerived, revokeDerived } from './derived-tokens.js';
import { LOCKS, type StoreContext, spaceList, toNumber } from './store-context.js';

const toLoginToken = (row: Selectable<LoginTokensTable>): LoginTokenRecord => ({
  id: Number(row.id),
  customerUuid: row.customer_uuid,
  subjectUuid: row.subject_uuid,
  tokenHash: row.token_hash,
  scopes: spaceList(row.scopes),
  createdAt: Number(row.created_at),
  expiresAt: toNumber(row.expires_at),
  revokedAt: toNumber(row.revoked_at),
  lastUsedAt: toNumber(row.last_used_at),
});

export function loginTokenStore({ db, serialise }: StoreContext): LoginTokenStore {
  return {
    async insert(t) {
      const row = await db
        .insertInto('login_tokens')
        .values({
          customer_uuid: t.customerUuid,
          subject_uuid: t.subjectUuid,
          token_hash: t.tokenHash,
          scopes: t.scopes.join(' '),
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          revoked_at: null,
          last_used_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toLoginToken(row);
    },
    async findByHash(tokenHash) {
      const row = await db
        .selectFrom('login_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toLoginToken(row);
    },
    async findById(id) {
      const row = await db
        .selectFrom('login_tokens')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toLoginToken(row);
    },
    async list(filter = {}) {
      let query = db.selectFrom('login_tokens').selectAll().orderBy('id');
      if (filter.customerUuid !== undefined)
        query = query.where('customer_uuid', '=', filter.customerUuid);
      return (await query.execute()).map(toLoginToken);
    },
    async recordExchange({ id, jti, exp, now }) {
      // The row update locks the login token: a concurrent revocation either
      // runs first (and this finds it revoked) or waits and then sees the jti.
      return db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('login_tokens')
          .set({ last_used_at: now })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .executeTakeFirst();
        if (updated.numUpdatedRows === 0n) return false;
        await recordDerived(trx, { kind: 'login_token', id: String(id) }, { jti, exp });
        return true;
      });
    },
    async revoke(id, now) {
      return db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        const updated = await trx
          .updateTable('login_tokens')
          .set({ revoked_at: now })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (updated.numUpdatedRows === 0n) {
          const exists = await trx
            .selectFrom('login_tokens')
            .select('id')
            .where('id', '=', id)
            .executeTakeFirst();
          return exists === undefined ? 'not_found' : 'already_revoked';
        }
        await revokeDerived(trx, 'login_token', [String(id)], now);
        return 'revoked';
      });
    },
  };
}
