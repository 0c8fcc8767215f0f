import type { Selectable, Transaction } from 'kysely';
import type { Database, TokenEventsTable } from '../database.js';
import type { PatState, TokenEvent, TokenEventRecord, TokenEventStore } from '../types.js';
import type { StoreContext } from './store-context.js';

/**
 * How long an event about a key outlives its writing: a verifier caches an
 * introspected API key for seconds and refetches the JWKS within minutes, so
 * after a day nobody still holds what the event tells them to drop.
 */
export const KEY_EVENT_RETENTION_SECONDS = 86_400;

/**
 * How long past its `exp` an event stays in the feed. A verifier may accept a
 * token up to its clock tolerance after `exp` (RFC 7519 §4.1.4 allows "some
 * small leeway"); for that long it must still learn the token was revoked.
 * `@gridkey/verify` refuses a larger `clockToleranceSeconds`.
 */
export const FEED_GRACE_SECONDS = 300;

/** The stored form of a PAT's state: the fields of a `pat.state` event. */
export function patStateJson(state: PatState): string {
  return JSON.stringify({
    pat_id: state.patId,
    api: state.api,
    web: state.web,
    until: state.until,
    revoked: state.revoked,
  });
}

function refOf(e: TokenEvent): string {
  switch (e.type) {
    case 'access_token.revoked':
    case 'pat.state':
      return e.jti;
    case 'api_key.revoked':
      return e.keyId;
    case 'signing_key.removed':
      return e.kid;
    case 'client.tokens_revoked':
      return e.clientId;
  }
}

function stateOf(e: TokenEvent): string | null {
  if (e.type === 'pat.state') return patStateJson(e);
  if (e.type === 'client.tokens_revoked') return JSON.stringify({ before: e.before });
  return null;
}

/**
 * Appends to the token-state feed. Callers hold the revocations lock
 * (`LOCKS.revocations`), so that cursor order is commit order: a reader that
 * has seen cursor N can never later find a smaller one committed after it.
 */
export async function appendTokenEvents(
  trx: Transaction<Database>,
  events: readonly TokenEvent[],
): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    await trx
      .insertInto('token_events')
      .values(
        events.slice(i, i + 500).map((e) => ({
          type: e.type,
          ref: refOf(e),
          at: e.at,
          exp: e.exp,
          state: stateOf(e),
        })),
      )
      .execute();
  }
}

function toEvent(row: Selectable<TokenEventsTable>): TokenEventRecord {
  const base = { seq: Number(row.seq), at: Number(row.at), exp: Number(row.exp) };
  switch (row.type) {
    case 'pat.state': {
      const s = JSON.parse(row.state ?? '{}') as Record<string, unknown>;
      return {
        ...base,
        type: 'pat.state',
        jti: row.ref,
        patId: String(s.pat_id),
        api: s.api === true,
        web: s.web === true,
        until: typeof s.until === 'number' ? s.until : null,
        revoked: s.revoked === true,
      };
    }
    case 'api_key.revoked':
      return { ...base, type: 'api_key.revoked', keyId: row.ref };
    case 'signing_key.removed':
      return { ...base, type: 'signing_key.removed', kid: row.ref };
    case 'client.tokens_revoked': {
      const s = JSON.parse(row.state ?? '{}') as Record<string, unknown>;
      return {
        ...base,
        type: 'client.tokens_revoked',
        clientId: row.ref,
        before: Number(s.before),
      };
    }
    default:
      // 'access_token.revoked', the only other type written.
      return { ...base, type: 'access_token.revoked', jti: row.ref };
  }
}

export function tokenEventStore({ db }: StoreContext): TokenEventStore {
  return {
    async listAfter(cursor, now, limit) {
      const rows = await db
        .selectFrom('token_events')
        .selectAll()
        .where('seq', '>', cursor)
        .where('exp', '>', now - FEED_GRACE_SECONDS)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toEvent);
    },
    async lastCursor() {
      const row = await db
        .selectFrom('token_events')
        .select((eb) => eb.fn.max('seq').as('top'))
        .executeTakeFirst();
      return Number(row?.top ?? 0);
    },
  };
}
