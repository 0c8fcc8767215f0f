import type { Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { RevocationStore } from '../types.js';
import { LOCKS, type StoreContext } from './store-context.js';
import { appendTokenEvents } from './token-events.js';
import { isClientRevokedAt, revokeClientTokens } from './token-revocation.js';

type RevokedEntry = { jti: string; exp: number; revokedAt: number };

/**
 * Records jtis as revoked (for introspection and `inspect`); returns those
 * not revoked before. Callers hold the revocations lock.
 */
export async function markRevoked(
  trx: Transaction<Database>,
  entries: readonly RevokedEntry[],
): Promise<RevokedEntry[]> {
  const added = new Set<string>();
  for (let i = 0; i < entries.length; i += 500) {
    const rows = await trx
      .insertInto('revoked_tokens')
      .values(
        entries.slice(i, i + 500).map((e) => ({ jti: e.jti, exp: e.exp, revoked_at: e.revokedAt })),
      )
      .onConflict((oc) => oc.column('jti').doNothing())
      .returning('jti')
      .execute();
    for (const r of rows) added.add(r.jti);
  }
  return entries.filter((e) => added.has(e.jti));
}

/**
 * Revokes access tokens by jti and tells the feed, once per jti. Callers
 * hold the revocations lock (see appendTokenEvents).
 */
export async function insertRevoked(
  trx: Transaction<Database>,
  entries: readonly RevokedEntry[],
): Promise<void> {
  const added = await markRevoked(trx, entries);
  await appendTokenEvents(
    trx,
    added.map((e) => ({ type: 'access_token.revoked', jti: e.jti, at: e.revokedAt, exp: e.exp })),
  );
}

export function revocationStore({ db, serialise }: StoreContext): RevocationStore {
  return {
    async revoke(entry) {
      await db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        await insertRevoked(trx, [entry]);
      });
    },
    async isRevoked(jti, issued) {
      const row = await db
        .selectFrom('revoked_tokens')
        .select('seq')
        .where('jti', '=', jti)
        .executeTakeFirst();
      if (row !== undefined) return true;
      if (issued?.clientId === undefined || issued.iat === undefined) return false;
      return isClientRevokedAt(db, issued.clientId, issued.iat);
    },
    async revokeClientTokens(clientId, now, maxTokenTtlSeconds) {
      await db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        await revokeClientTokens(trx, clientId, now, maxTokenTtlSeconds);
      });
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
  };
}
