import type { Selectable } from 'kysely';
import type { PatsTable } from '../database.js';
import type { PatRecord, PatStore } from '../types.js';
import { insertRevoked } from './revocations.js';
import { LOCKS, type StoreContext, spaceList, toNumber } from './store-context.js';

const toPat = (row: Selectable<PatsTable>): PatRecord => ({
  id: row.id,
  name: row.name,
  role: row.role,
  scopes: spaceList(row.scopes),
  tokenHash: row.token_hash,
  jti: row.jti,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  authorisedApi: Number(row.authorised_api) === 1,
  authorisedWeb: Number(row.authorised_web) === 1,
  authorisedAt: toNumber(row.authorised_at),
  authorisedUntil: toNumber(row.authorised_until),
  revokedAt: toNumber(row.revoked_at),
  lastUsedAt: toNumber(row.last_used_at),
});

export function patStore({ db, serialise }: StoreContext): PatStore {
  return {
    async insert(p) {
      await db
        .insertInto('pats')
        .values({
          id: p.id,
          name: p.name,
          role: p.role,
          scopes: p.scopes.join(' '),
          token_hash: p.tokenHash,
          jti: p.jti,
          created_at: p.createdAt,
          expires_at: p.expiresAt,
          authorised_api: p.authorisedApi ? 1 : 0,
          authorised_web: p.authorisedWeb ? 1 : 0,
          authorised_at: p.authorisedAt,
          authorised_until: p.authorisedUntil,
          revoked_at: null,
          last_used_at: null,
        })
        .execute();
    },
    async findById(id) {
      const row = await db.selectFrom('pats').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toPat(row);
    },
    async findByHash(tokenHash) {
      const row = await db
        .selectFrom('pats')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toPat(row);
    },
    async list() {
      return (await db.selectFrom('pats').selectAll().orderBy('created_at').execute()).map(toPat);
    },
    async authorise(id, grant, now) {
      const result = await db
        .updateTable('pats')
        .set({
          authorised_api: grant.api ? 1 : 0,
          authorised_web: grant.web ? 1 : 0,
          authorised_at: now,
          authorised_until: grant.until,
        })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async revoke(id, now) {
      return db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        const row = await trx
          .selectFrom('pats')
          .select(['jti', 'expires_at', 'revoked_at'])
          .where('id', '=', id)
          .executeTakeFirst();
        if (row === undefined) return 'not_found';
        if (row.revoked_at !== null) return 'already_revoked';
        await trx.updateTable('pats').set({ revoked_at: now }).where('id', '=', id).execute();
        // Resource servers learn of it from the feed, like any revoked jti.
        await insertRevoked(trx, [{ jti: row.jti, exp: Number(row.expires_at), revokedAt: now }]);
        return 'revoked';
      });
    },
    async touch(id, now) {
      await db.updateTable('pats').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}
