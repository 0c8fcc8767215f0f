import type { Selectable } from 'kysely';
import type { RefreshTokensTable } from '../database.js';
import type { RefreshTokenRecord, RefreshTokenStore } from '../types.js';
import { recordDerived, revokeDerived } from './derived-tokens.js';
import { LOCKS, type StoreContext, spaceList, toNumber } from './store-context.js';

const toRefreshToken = (row: Selectable<RefreshTokensTable>): RefreshTokenRecord => ({
  id: row.id,
  tokenHash: row.token_hash,
  familyId: row.family_id,
  clientId: row.client_id,
  userId: row.user_id,
  scopes: spaceList(row.scopes),
  authTime: Number(row.auth_time),
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  familyExpiresAt: Number(row.family_expires_at),
  spentAt: toNumber(row.spent_at),
  revokedAt: toNumber(row.revoked_at),
});

const toRow = (t: RefreshTokenRecord): RefreshTokensTable => ({
  id: t.id,
  token_hash: t.tokenHash,
  family_id: t.familyId,
  client_id: t.clientId,
  user_id: t.userId,
  scopes: t.scopes.join(' '),
  auth_time: t.authTime,
  created_at: t.createdAt,
  expires_at: t.expiresAt,
  family_expires_at: t.familyExpiresAt,
  spent_at: t.spentAt,
  revoked_at: t.revokedAt,
});

export function refreshTokenStore({ db, serialise, serialiseOn }: StoreContext): RefreshTokenStore {
  return {
    async insert(token, access) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('refresh_tokens').values(toRow(token)).execute();
        await recordDerived(trx, { kind: 'refresh_family', id: token.familyId }, access);
      });
    },
    async findByHash(tokenHash) {
      const row = await db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toRefreshToken(row);
    },
    async rotate(oldId, now, next, access) {
      return db.transaction().execute(async (trx) => {
        // Family lock first: a revocation of the family either finishes before
        // (and this finds the old token revoked) or waits and then sees the
        // successor. Without it, READ COMMITTED lets the successor escape.
        await serialiseOn(trx, `refresh-family:${next.familyId}`);
        // The conditional update is the race's referee: on PostgreSQL the row
        // lock makes a concurrent spender wait and then find spent_at set;
        // SQLite has one writer. Exactly one caller sees one updated row.
        const spent = await trx
          .updateTable('refresh_tokens')
          .set({ spent_at: now })
          .where('id', '=', oldId)
          .where('spent_at', 'is', null)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (spent.numUpdatedRows === 0n) return false;
        await trx.insertInto('refresh_tokens').values(toRow(next)).execute();
        await recordDerived(trx, { kind: 'refresh_family', id: next.familyId }, access);
        return true;
      });
    },
    async revokeFamily(familyId, now) {
      await db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        await serialiseOn(trx, `refresh-family:${familyId}`);
        await trx
          .updateTable('refresh_tokens')
          .set({ revoked_at: now })
          .where('family_id', '=', familyId)
          .where('revoked_at', 'is', null)
          .execute();
        await revokeDerived(trx, 'refresh_family', [familyId], now);
      });
    },
  };
}
