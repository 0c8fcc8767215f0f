import type { FastifyInstance } from 'fastify';
import { InvalidRequestError } from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import { nowSeconds } from '../lib/clock.js';
import type { TokenEventRecord } from '../store/types.js';

const CURSOR = /^(0|[1-9][0-9]{0,14})$/;

function parseCursor(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !CURSOR.test(value)) {
    throw new InvalidRequestError(`${name} must be a non-negative whole number`);
  }
  return Number(value);
}

/** An event on the wire (docs/state-feed.md): snake_case, the cursor as a string. */
function wireEvent(e: TokenEventRecord) {
  const base = { cursor: String(e.seq), type: e.type, at: e.at, exp: e.exp };
  switch (e.type) {
    case 'access_token.revoked':
      return { ...base, jti: e.jti };
    case 'pat.state':
      return {
        ...base,
        jti: e.jti,
        pat_id: e.patId,
        api: e.api,
        web: e.web,
        until: e.until,
        revoked: e.revoked,
      };
    case 'api_key.revoked':
      return { ...base, key_id: e.keyId };
    case 'signing_key.removed':
      return { ...base, kid: e.kid };
    case 'client.tokens_revoked':
      return { ...base, client_id: e.clientId, before: e.before };
  }
}

/** The jtis an earlier reader of `revocations` refused: revoked access tokens and PATs. */
function revokedJtis(events: readonly TokenEventRecord[]) {
  return events.flatMap((e) =>
    e.type === 'access_token.revoked' || (e.type === 'pat.state' && e.revoked)
      ? [{ jti: e.jti, exp: e.exp, revoked_at: e.at }]
      : [],
  );
}

/**
 * `GET /revocations?after=CURSOR`: the token-state feed (docs/state-feed.md),
 * every change a verifier must learn of, in commit order. An event leaves
 * the feed once it no longer matters (its token expired), so `after=0` is a
 * complete snapshot.
 */
export function registerRevocationFeed(app: FastifyInstance, gk: Gridkey) {
  app.get('/revocations', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const after = parseCursor(query.after, 'after', 0);
    const pageSize = gk.config.revocationFeedPageSize;
    const limit = Math.min(parseCursor(query.limit, 'limit', pageSize), pageSize) || pageSize;
    const events = await gk.store.tokenEvents.listAfter(after, nowSeconds(gk.clock), limit);
    reply.header('cache-control', 'no-store');
    // A cursor from beyond the feed (a database restored from a backup, or
    // replaced): start the reader again from the snapshot instead of letting
    // it wait, silently, for cursors it has already passed.
    if (events.length === 0 && after > 0 && after > (await gk.store.tokenEvents.lastCursor())) {
      return { events: [], revocations: [], next_cursor: '0', has_more: true, reset: true };
    }
    return {
      events: events.map(wireEvent),
      revocations: revokedJtis(events),
      next_cursor: String(events.at(-1)?.seq ?? after),
      has_more: events.length === limit,
    };
  });
}
