import type { Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { RevocationStore } from '../types.js';
import { LOCKS, type StoreContext } from './store-context.js';

/**
 * Adds revoked jtis. Callers hold the revocations lock, so that cursor order
 * is commit order: a feed reader that has seen seq N can never later miss a
 * smaller seq committed after it.
 */
export async function insertRevoked(
  trx: Transaction<Database>,
  entries: { jti: string; exp: number; revokedAt: number }[],
): Promise<void> {
  if (entries.length === 0) return;
  await trx
    .insertInto('revoked_tokens')
    .values(entries.map((e) => ({ jti: e.jti, exp: e.exp, revoked_at: e.revokedAt })))
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

export function revocationStore({ db, serialise }: StoreContext): RevocationStore {
  return {
    async revoke(entry) {
      await db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        await insertRevoked(trx, [entry]);
      });
    },
    async isRevoked(jti) {
      const row = await db
        .selectFrom('revoked_tokens')
        .select('seq')
        .where('jti', '=', jti)
        .executeTakeFirst();
      return row !== undefined;
    },
    async listAfter(cursor, now, limit) {
      const rows = await db
        .selectFrom('revoked_tokens')
        .selectAll()
        .where('seq', '>', cursor)
        .where('exp', '>', now)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        seq: Number(r.seq),
        jti: r.jti,
        exp: Number(r.exp),
        revokedAt: Number(r.revoked_at),
      }));
    },
    async deleteExpired(now) {
      const revoked = await db
        .deleteFrom('revoked_tokens')
        .where('exp', '<=', now)
        .executeTakeFirst();
      await db.deleteFrom('derived_tokens').where('exp', '<=', now).execute();
      return Number(revoked.numDeletedRows);
    },
  };
}
