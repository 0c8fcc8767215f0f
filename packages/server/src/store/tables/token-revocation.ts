import type { Transaction } from 'kysely';
import type { Database } from '../database.js';
import { revokeDerived } from './derived-tokens.js';
import { appendTokenEvents } from './token-events.js';

/**
 * Revokes every live refresh token of a user or of a client, and the access
 * tokens their families issued (for a user, also those of logins that came
 * without a refresh token). Callers hold the revocations lock.
 */
export async function revokeFamiliesOf(
  trx: Transaction<Database>,
  owner: { userId: string } | { clientId: string },
  now: number,
): Promise<void> {
  const [column, value] =
    'userId' in owner
      ? (['user_id', owner.userId] as const)
      : (['client_id', owner.clientId] as const);
  const families = await trx
    .selectFrom('refresh_tokens')
    .select('family_id')
    .distinct()
    .where(column, '=', value)
    .execute();
  await trx
    .updateTable('refresh_tokens')
    .set({ revoked_at: now })
    .where(column, '=', value)
    .where('revoked_at', 'is', null)
    .execute();
  await revokeDerived(
    trx,
    'refresh_family',
    families.map((f) => f.family_id),
    now,
  );
  if ('userId' in owner) await revokeDerived(trx, 'user', [owner.userId], now);
}

/**
 * The kill switch for a client: its refresh tokens, and every access token
 * issued to it up to `now` (by `iat`), wherever it is presented. A token
 * issued in the same second is refused too: `iat` has whole seconds only.
 * Callers hold the revocations lock.
 */
export async function revokeClientTokens(
  trx: Transaction<Database>,
  clientId: string,
  now: number,
  maxTokenTtlSeconds: number,
): Promise<void> {
  await revokeFamiliesOf(trx, { clientId }, now);
  const exp = now + maxTokenTtlSeconds;
  await trx
    .insertInto('revoked_clients')
    .values({ client_id: clientId, revoked_before: now, exp })
    .onConflict((oc) => oc.column('client_id').doUpdateSet({ revoked_before: now, exp }))
    .execute();
  await appendTokenEvents(trx, [
    { type: 'client.tokens_revoked', clientId, before: now, at: now, exp },
  ]);
}

/**
 * Whether a client's kill switch covers a token it was issued at `iat`. A
 * row past its `exp` (not pruned yet) only covers tokens that have expired
 * anyway, so no clock is needed here.
 */
export async function isClientRevokedAt(
  trx: Pick<Transaction<Database>, 'selectFrom'>,
  clientId: string,
  iat: number,
): Promise<boolean> {
  const row = await trx
    .selectFrom('revoked_clients')
    .select('revoked_before')
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row !== undefined && iat <= Number(row.revoked_before);
}
