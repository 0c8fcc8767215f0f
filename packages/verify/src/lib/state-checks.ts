import { VerifyError } from '../errors.js';
import type { PatInterface, VerifiedApiKey } from '../types.js';
import type { JwksCache } from './jwks-cache.js';
import type { StateFeed } from './state-feed.js';
import type { TokenState } from './token-state.js';
import type { VerifiedJwt } from './verify-jwt.js';

/** What the checks that run on every call (fresh or cached) consult. */
export interface StateView {
  feed: StateFeed | undefined;
  failOpen: boolean;
  state: TokenState;
  jwks: JwksCache;
  clockToleranceSeconds: number;
}

export interface CallOptions {
  scopes: readonly string[];
  interface: PatInterface;
}

const stale = () =>
  new VerifyError('unavailable', 'the token state cannot be checked: the state feed is stale');

/**
 * The kill switch of the token's client. A token without a numeric `iat`
 * cannot be placed before or after it, so it counts as revoked.
 */
function isRevokedForClient(state: TokenState, token: VerifiedJwt['token']): boolean {
  if (token.kind !== 'access_token' || token.clientId === undefined) return false;
  const { iat } = token.claims;
  return state.isRevokedForClient(
    token.clientId,
    typeof iat === 'number' ? iat : Number.NEGATIVE_INFINITY,
  );
}

/** RFC 6750 §3.1: a valid token without a needed scope is `insufficient_scope` (403). */
export function checkScopes(granted: readonly string[], required: readonly string[]): void {
  for (const scope of required) {
    if (!granted.includes(scope)) {
      throw new VerifyError('insufficient_scope', 'the token lacks a scope this request needs', {
        scopes: required,
      });
    }
  }
}

/**
 * Whatever may have changed since the signature was checked: expiry (the
 * Enectiva rule: at or past `exp` is expired), the signing key leaving the
 * set, the feed's revocations and PAT state, and how fresh that state is.
 * Runs on a cache hit exactly as after a fresh verification.
 */
export function checkJwtState(
  entry: VerifiedJwt,
  options: CallOptions,
  view: StateView,
  now: number,
): void {
  const { token } = entry;
  const nowSeconds = Math.floor(now / 1000);
  if (token.expiresAt <= nowSeconds - view.clockToleranceSeconds) {
    throw new VerifyError('expired', 'the token has expired');
  }
  if (view.jwks.isRemoved(entry.kid)) {
    throw new VerifyError('unknown_key', 'the signing key was removed');
  }
  const { feed, state } = view;
  if (token.kind === 'access_token') {
    if (feed !== undefined) {
      if (state.isRevokedJti(token.jti) || isRevokedForClient(state, token)) {
        throw new VerifyError('revoked', 'the token is revoked');
      }
      if (feed.status(now) !== 'live' && !(view.failOpen && feed.withinFailOpen(now))) {
        throw stale();
      }
    }
  } else {
    if (feed === undefined) {
      throw new VerifyError('unavailable', 'PATs need the token-state feed, which is off');
    }
    const pat = state.patState(token.jti);
    if (state.isRevokedJti(token.jti) || pat?.revoked === true) {
      throw new VerifyError('revoked', 'the token is revoked');
    }
    if (feed.status(now) !== 'live') throw stale();
    // docs/state-feed.md: a PAT with no pat.state event is pending.
    if (pat === undefined) throw new VerifyError('not_authorised', 'the token is pending');
    if (pat.until !== null && pat.until <= nowSeconds) {
      throw new VerifyError('expired', 'the token authorisation has ended');
    }
    if (!pat[options.interface]) {
      const where = options.interface === 'api' ? 'JSON API' : 'web page';
      throw new VerifyError('not_authorised', `the token is not authorised for the ${where}`);
    }
  }
  checkScopes(token.scopes, options.scopes);
}

/** An introspected API key, on every call: expiry, the feed's revocations, staleness, scopes. */
export function checkApiKeyState(
  token: VerifiedApiKey,
  options: CallOptions,
  view: StateView,
  now: number,
): void {
  if (token.expiresAt !== undefined && token.expiresAt <= Math.floor(now / 1000)) {
    throw new VerifyError('expired', 'the API key has expired');
  }
  const { feed } = view;
  if (feed !== undefined) {
    if (view.state.isRevokedKey(token.subject)) {
      throw new VerifyError('revoked', 'the API key is revoked');
    }
    if (feed.status(now) !== 'live') throw stale();
  }
  checkScopes(token.scopes, options.scopes);
}
