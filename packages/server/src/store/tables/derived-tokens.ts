import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import { insertRevoked } from './revocations.js';

/**
 * What an access token was derived from, so that revoking the parent can
 * revoke it: a login token, a refresh-token family, or (a password login of a
 * client that gets no refresh token) the user.
 */
export type ParentKind = 'login_token' | 'refresh_family' | 'user';

export async function recordDerived(
  trx: Kysely<Database>,
  parent: { kind: ParentKind; id: string },
  token: { jti: string; exp: number },
): Promise<void> {
  await trx
    .insertInto('derived_tokens')
    .values({ jti: token.jti, parent_kind: parent.kind, parent_id: parent.id, exp: token.exp })
    .execute();
}

/**
 * Puts the live access tokens derived from these parents into the revocation
 * feed. Callers hold the revocations lock.
 */
export async function revokeDerived(
  trx: Transaction<Database>,
  kind: ParentKind,
  parentIds: string[],
  now: number,
): Promise<void> {
  if (parentIds.length === 0) return;
  const live = await trx
    .selectFrom('derived_tokens')
    .select(['jti', 'exp'])
    .where('parent_kind', '=', kind)
    .where('parent_id', 'in', parentIds)
    .where('exp', '>', now)
    .execute();
  await insertRevoked(
    trx,
    live.map((d) => ({ jti: d.jti, exp: Number(d.exp), revokedAt: now })),
  );
}
