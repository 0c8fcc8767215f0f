import type { Config } from '../config/schema.js';
import { InvalidScopeError, TooManyRequestsError } from '../errors.js';
import { nowSeconds } from '../lib/clock.js';
import type { GrantLimits } from '../limits/grant-limits.js';
import type { RefreshTokenRecord, RefreshTokenStore, UserStore } from '../store/types.js';
import { findRefreshToken, type RefreshTokenLookup } from '../tokens/refresh-tokens.js';
import type { Grant } from './grant.js';
import { invalidRefreshToken, issueUserTokens, type UserTokenDeps } from './issue-user-tokens.js';

/** What the refresh_token grant uses. */
export interface RefreshTokenGrantDeps extends UserTokenDeps, RefreshTokenLookup {
  config: UserTokenDeps['config'] & Pick<Config, 'refreshTokenReuseGraceSeconds'>;
  store: {
    refreshTokens: Pick<RefreshTokenStore, 'findByHash' | 'insert' | 'rotate' | 'revokeFamily'>;
    users: Pick<UserStore, 'findById' | 'recordAccessToken'>;
  };
  limits: Pick<GrantLimits, 'refreshGrantsByUser'>;
}

/**
 * RFC 9700 §4.14.2: a spent refresh token presented again means it leaked
 * (or a client raced itself): the whole family is revoked. Within the
 * configured grace window a replay is only refused.
 */
async function answerReuse(
  deps: RefreshTokenGrantDeps,
  token: RefreshTokenRecord,
  now: number,
): Promise<never> {
  const grace = deps.config.refreshTokenReuseGraceSeconds;
  const withinGrace = grace > 0 && token.spentAt !== null && now - token.spentAt <= grace;
  if (!withinGrace) {
    await deps.store.refreshTokens.revokeFamily(token.familyId, now);
    deps.events.emit('token.revoked', {
      jti: `family:${token.familyId}`,
      clientId: token.clientId,
    });
  }
  throw invalidRefreshToken();
}

/** RFC 6749 §6: a new access token, and a new refresh token, for a live refresh token. */
export function refreshTokenGrant(deps: RefreshTokenGrantDeps): Grant {
  return {
    grantType: 'refresh_token',
    async handle(request) {
      const presented = request.params.require('refresh_token');
      const token = await findRefreshToken(deps, presented);
      const now = nowSeconds(deps.clock);
      // Bound to the client it was issued to (RFC 6749 §10.4).
      if (
        token === undefined ||
        token.clientId !== request.client.clientId ||
        token.revokedAt !== null
      ) {
        throw invalidRefreshToken();
      }
      if (token.spentAt !== null) return answerReuse(deps, token, now);
      if (token.expiresAt <= now || token.familyExpiresAt <= now) throw invalidRefreshToken();
      const user = await deps.store.users.findById(token.userId);
      if (user === undefined || user.disabledAt !== null) throw invalidRefreshToken();
      // Every rotation is a durable write: a client looping on refresh (or a
      // stolen token replayed fast) is held to a budget per user, checked before
      // anything is written, so the presented token stays usable after a 429.
      const wait = await deps.limits.refreshGrantsByUser.spend(user.id);
      if (wait !== undefined) {
        throw new TooManyRequestsError(
          'too many refresh requests: use the access token until it is about to expire',
          wait,
        );
      }

      // RFC 6749 §6: a narrower scope for this access token, never a wider one.
      const requested = request.params.get('scope');
      let accessScopes = token.scopes;
      if (requested !== undefined) {
        const asked = [...new Set(requested.split(' ').filter(Boolean))];
        if (asked.some((s) => !token.scopes.includes(s))) {
          throw new InvalidScopeError('the requested scope exceeds the scope originally granted');
        }
        accessScopes = asked;
      }
      const response = await issueUserTokens(deps, request, 'refresh_token', {
        user,
        grantedScopes: token.scopes,
        accessScopes,
        authTime: token.authTime,
        previous: token,
      });
      if (response === 'lost_race') return answerReuse(deps, { ...token, spentAt: now }, now);
      return response;
    },
  };
}
