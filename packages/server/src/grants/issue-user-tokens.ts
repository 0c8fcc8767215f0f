import { InvalidGrantError } from '../errors.js';
import type { EventSink } from '../events.js';
import { nowSeconds } from '../lib/clock.js';
import type {
  RefreshTokenRecord,
  RefreshTokenStore,
  UserRecord,
  UserStore,
} from '../store/types.js';
import { type AccessTokenSigning, issueAccessToken } from '../tokens/access-token.js';
import { issueIdToken } from '../tokens/id-token.js';
import { newRefreshToken, type RefreshTokenMinting } from '../tokens/refresh-tokens.js';
import type { GrantRequest } from './grant.js';
import type { TokenResponse } from './token-response.js';
import { type AccessTokenLifetimes, accessTokenTtl, resolveAudience } from './token-settings.js';

/** What issuing a user's tokens uses (the password and refresh_token grants). */
export interface UserTokenDeps extends AccessTokenSigning, RefreshTokenMinting {
  config: AccessTokenLifetimes & RefreshTokenMinting['config'];
  store: {
    refreshTokens: Pick<RefreshTokenStore, 'insert' | 'rotate'>;
    users: Pick<UserStore, 'recordAccessToken'>;
  };
  events: EventSink;
}

export interface UserGrant {
  user: UserRecord;
  /** What the user granted; every refresh token of the family carries it. */
  grantedScopes: readonly string[];
  /** What this access token carries: the granted scope or a narrowing of it. */
  accessScopes: readonly string[];
  /**
   * When the user authenticated; undefined when that was this request (the
   * password grant), so `auth_time` is the issuance instant itself.
   */
  authTime?: number;
  /** The refresh token being rotated, if any. */
  previous?: RefreshTokenRecord;
}

/**
 * Access token, refresh token and ID token for a user. With `previous`, the
 * old refresh token is spent in the same transaction that stores the new one;
 * a lost race is answered like reuse, by the caller.
 */
export async function issueUserTokens(
  deps: UserTokenDeps,
  request: GrantRequest,
  grantType: 'password' | 'refresh_token',
  grant: UserGrant,
): Promise<TokenResponse | 'lost_race'> {
  const { client } = request;
  // One instant for everything this request issues: the tokens' iat agree
  // with each other and, on a fresh login, with auth_time.
  const now = nowSeconds(deps.clock);
  const authTime = grant.authTime ?? now;
  const ttlSeconds = accessTokenTtl(deps.config, request);
  const access = issueAccessToken(deps, {
    issuer: request.issuer,
    subject: grant.user.id,
    clientId: client.clientId,
    audience: resolveAudience(request),
    scopes: grant.accessScopes,
    ttlSeconds,
    issuedAt: now,
  });
  const derived = { jti: access.jti, exp: access.exp };
  // RFC 6749 §1.5: a refresh token only for a client allowed the
  // refresh_token grant; without one, the access token is linked to the user
  // so that revoking the user's tokens still reaches it.
  const refresh = client.grantTypes.includes('refresh_token')
    ? newRefreshToken(
        deps,
        {
          clientId: client.clientId,
          userId: grant.user.id,
          scopes: grant.grantedScopes,
          authTime,
          issuedAt: now,
        },
        grant.previous,
      )
    : undefined;
  if (refresh === undefined) {
    await deps.store.users.recordAccessToken(grant.user.id, derived);
  } else if (grant.previous === undefined) {
    await deps.store.refreshTokens.insert(refresh.record, derived);
  } else if (
    !(await deps.store.refreshTokens.rotate(grant.previous.id, now, refresh.record, derived))
  ) {
    return 'lost_race';
  }
  deps.events.emit('token.issued', {
    grantType,
    clientId: client.clientId,
    jti: access.jti,
    kind: 'access_token',
  });
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: ttlSeconds,
    scope: grant.accessScopes.join(' '),
    ...(refresh === undefined ? {} : { refresh_token: refresh.token }),
    id_token: issueIdToken(deps, {
      issuer: request.issuer,
      user: grant.user,
      clientId: client.clientId,
      authTime,
      ttlSeconds,
      issuedAt: now,
    }),
  };
}

export const invalidRefreshToken = () =>
  new InvalidGrantError('the refresh token is invalid, expired or revoked');
