import type { Selectable } from 'kysely';
import type { PatsTable } from '../database.js';
import type { PatRecord, PatStore } from '../types.js';
import { markRevoked } from './revocations.js';
import { LOCKS, type StoreContext, spaceList, toNumber } from './store-context.js';
import { appendTokenEvents } from './token-events.js';

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
    async insert(p, signedBy) {
      await db.transaction().execute(async (trx) => {
        await trx
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
        // RFC 7517 §5: a verifier finds the PAT's key in the JWKS for as long
        // as the PAT lives, however many rotations retire it meanwhile.
        await trx
          .updateTable('signing_keys')
          .set({ published_until: p.expiresAt })
          .where('kid', '=', signedBy)
          .where((eb) =>
            eb.or([eb('published_until', 'is', null), eb('published_until', '<', p.expiresAt)]),
          )
          .execute();
      });
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
      return (
        await db.selectFrom('pats').selectAll().orderBy('created_at').orderBy('id').execute()
      ).map(toPat);
    },
    async authorise(id, grant, now) {
      return db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        const result = await trx
          .updateTable('pats')
          .set({
            authorised_api: grant.api ? 1 : 0,
            authorised_web: grant.web ? 1 : 0,
            authorised_at: now,
            authorised_until: grant.until,
          })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .returning(['jti', 'expires_at'])
          .executeTakeFirst();
        if (result === undefined) return false;
        // Verifiers hold a PAT pending until the feed says otherwise.
        await appendTokenEvents(trx, [
          {
            type: 'pat.state',
            jti: result.jti,
            patId: id,
            ...grant,
            revoked: false,
            at: now,
            exp: Number(result.expires_at),
          },
        ]);
        return true;
      });
    },
    async revoke(id, now) {
      return db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        const row = await trx
          .selectFrom('pats')
          .select(['jti', 'expires_at', 'revoked_at', 'authorised_api', 'authorised_web'])
          .select('authorised_until')
          .where('id', '=', id)
          .executeTakeFirst();
        if (row === undefined) return 'not_found';
        if (row.revoked_at !== null) return 'already_revoked';
        await trx.updateTable('pats').set({ revoked_at: now }).where('id', '=', id).execute();
        const exp = Number(row.expires_at);
        await markRevoked(trx, [{ jti: row.jti, exp, revokedAt: now }]);
        await appendTokenEvents(trx, [
          {
            type: 'pat.state',
            jti: row.jti,
            patId: id,
            api: Number(row.authorised_api) === 1,
            web: Number(row.authorised_web) === 1,
            until: toNumber(row.authorised_until),
            revoked: true,
            at: now,
            exp,
          },
        ]);
        return 'revoked';
      });
    },
    async touch(id, now) {
      await db.updateTable('pats').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}
