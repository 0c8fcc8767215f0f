import { isObject } from './fetch-json.js';

/** One change in the token-state feed (docs/state-feed.md), as the verifier uses it. */
export type FeedEvent = { cursor: string; at: number; exp: number } & (
  | { type: 'access_token.revoked'; jti: string }
  | {
      type: 'pat.state';
      jti: string;
      patId: string;
      api: boolean;
      web: boolean;
      until: number | null;
      revoked: boolean;
    }
  | { type: 'api_key.revoked'; keyId: string }
  | { type: 'signing_key.removed'; kid: string }
  | { type: 'client.tokens_revoked'; clientId: string; before: number }
);

export interface FeedPage {
  events: FeedEvent[];
  nextCursor: string;
  hasMore: boolean;
  /** The server sent us back to the snapshot (`reset: true`). */
  reset: boolean;
}

/** A feed answer we cannot follow: the page is not applied and the cursor stays. */
export class FeedFormatError extends Error {
  override readonly name = 'FeedFormatError';
}

export const CURSOR = /^(0|[1-9][0-9]{0,14})$/;

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= 512;

function bad(what: string): never {
  throw new FeedFormatError(`the feed sent ${what}`);
}

/** An event of a known type, checked field by field; undefined for a type we do not know. */
function parseEvent(raw: unknown): FeedEvent | undefined {
  if (!isObject(raw)) return bad('an event that is not an object');
  const { cursor, type, at, exp } = raw;
  if (typeof cursor !== 'string' || !CURSOR.test(cursor)) return bad('an event without a cursor');
  if (!isTime(at) || !isTime(exp)) return bad(`a ${String(type)} event without at/exp`);
  const base = { cursor, at, exp };
  switch (type) {
    case 'access_token.revoked':
      if (!isId(raw.jti)) return bad('an access_token.revoked event without a jti');
      return { ...base, type, jti: raw.jti };
    case 'pat.state': {
      const { jti, pat_id, api, web, until, revoked } = raw;
      if (
        !isId(jti) ||
        !isId(pat_id) ||
        typeof api !== 'boolean' ||
        typeof web !== 'boolean' ||
        typeof revoked !== 'boolean' ||
        !(until === null || isTime(until))
      ) {
        return bad('a malformed pat.state event');
      }
      return { ...base, type, jti, patId: pat_id, api, web, until, revoked };
    }
    case 'api_key.revoked':
      if (!isId(raw.key_id)) return bad('an api_key.revoked event without a key_id');
      return { ...base, type, keyId: raw.key_id };
    case 'signing_key.removed':
      if (!isId(raw.kid)) return bad('a signing_key.removed event without a kid');
      return { ...base, type, kid: raw.kid };
    case 'client.tokens_revoked':
      if (!isId(raw.client_id) || !isTime(raw.before)) {
        return bad('a malformed client.tokens_revoked event');
      }
      return { ...base, type, clientId: raw.client_id, before: raw.before };
    default:
      // docs/state-feed.md: readers ignore event types they do not know.
      return undefined;
  }
}

/**
 * One page of `GET /revocations`. A server from before `events` existed
 * sends only `revocations` (revoked jtis); those still count as
 * revocations, and such a server never reports PAT or API-key state.
 */
export function parseFeedPage(body: unknown, after: string): FeedPage {
  if (!isObject(body)) return bad('a page that is not a JSON object');
  const { next_cursor: nextCursor, has_more: hasMore } = body;
  if (typeof nextCursor !== 'string' || !CURSOR.test(nextCursor)) return bad('no next_cursor');
  if (typeof hasMore !== 'boolean') return bad('no has_more');
  // docs/state-feed.md: the server names a cursor from beyond the feed (its
  // database restored or replaced) and sends the reader back to the snapshot.
  if (body.reset === true) {
    if (nextCursor !== '0') return bad('a reset that does not go back to 0');
    return { events: [], nextCursor, hasMore: true, reset: true };
  }
  if (BigInt(nextCursor) < BigInt(after)) return bad('a cursor that went backwards');
  if (hasMore && nextCursor === after) return bad('has_more without moving the cursor');
  const events: FeedEvent[] = [];
  if (Array.isArray(body.events)) {
    for (const raw of body.events) {
      const event = parseEvent(raw);
      if (event !== undefined) events.push(event);
    }
  } else if (Array.isArray(body.revocations)) {
    for (const r of body.revocations) {
      if (!isObject(r) || !isId(r.jti) || !isTime(r.exp)) return bad('a malformed revocation');
      const at = isTime(r.revoked_at) ? r.revoked_at : 0;
      events.push({ type: 'access_token.revoked', cursor: nextCursor, at, exp: r.exp, jti: r.jti });
    }
  } else {
    return bad('a page without events');
  }
  return { events, nextCursor, hasMore, reset: false };
}
