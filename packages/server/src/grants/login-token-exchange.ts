import { InvalidLoginTokenError, TooManyRequestsError } from '../errors.js';
import type { EventSink } from '../events.js';
import { nowSeconds } from '../lib/clock.js';
import type { ExchangeLimits } from '../limits/exchange-limits.js';
import { spendEach } from '../limits/limiter.js';
import type { LoginTokenStore } from '../store/types.js';
import {
  type AccessTokenSigning,
  type ClaimShaper,
  issueAccessToken,
} from '../tokens/access-token.js';
import type { LoginTokens } from '../tokens/login-tokens.js';

/** What the login-token exchange uses. */
export interface LoginTokenExchangeDeps extends AccessTokenSigning {
  loginTokens: Pick<LoginTokens, 'authenticate'>;
  store: { loginTokens: Pick<LoginTokenStore, 'recordExchange'> };
  events: EventSink;
  limits: ExchangeLimits;
}

/**
 * The dialect of the exchanged access token: the extension point a profile
 * fills (profiles/enectiva), so that this grant knows no platform.
 */
export interface ExchangeDialect {
  /** The access token's lifetime. */
  readonly ttlSeconds: number;
  /** A new `jti`. */
  newTokenId(): string;
  /** The claim shaper for a token derived from this login token. */
  claims(loginToken: { id: number; scopes: readonly string[] }): ClaimShaper;
}

export interface ExchangeRequest {
  customerUuid: string;
  loginToken: string;
  address: string;
  issuer: string;
}

/**
 * Exchanges a customer's login token for an access token carrying the login
 * token's permissions, in the given dialect (lifetime, id and claims).
 * Nothing is issued or stored on any failure.
 */
export async function exchangeLoginToken(
  deps: LoginTokenExchangeDeps,
  dialect: ExchangeDialect,
  request: ExchangeRequest,
): Promise<{ id: string; encoded: string }> {
  // An address that failed too often is refused outright. A customer that
  // failed too often answers further failures with 429, but its real login
  // token still works: a customer uuid is no secret, and must not let anyone
  // lock the customer out.
  const { limits } = deps;
  const addressKey = `address:${request.address}`;
  const addressWait = await limits.failures.blockedFor(addressKey);
  if (addressWait !== undefined) {
    throw new TooManyRequestsError('too many failed exchanges; try again later', addressWait);
  }
  const loginToken = await deps.loginTokens.authenticate(request.customerUuid, request.loginToken);
  if (loginToken === undefined) {
    const wait = await spendEach([
      [limits.failures, addressKey],
      [limits.failures, `customer:${request.customerUuid}`],
    ]);
    if (wait !== undefined)
      throw new TooManyRequestsError('too many failed exchanges; try again later', wait);
    throw new InvalidLoginTokenError('the login token is not valid for this customer');
  }
  const wait = await limits.successes.spend(`login-token:${loginToken.id}`);
  if (wait !== undefined) {
    throw new TooManyRequestsError(
      'too many exchanges for this login token; reuse the access token',
      wait,
    );
  }
  const jti = dialect.newTokenId();
  const issued = issueAccessToken(
    deps,
    {
      issuer: request.issuer,
      subject: loginToken.subjectUuid,
      audience: request.issuer,
      scopes: loginToken.scopes,
      ttlSeconds: dialect.ttlSeconds,
      jti,
    },
    dialect.claims(loginToken),
  );
  // Recorded against the login token, which must still be live: a
  // revocation racing this exchange either wins (401) or revokes this jti too.
  const recorded = await deps.store.loginTokens.recordExchange({
    id: loginToken.id,
    jti,
    exp: issued.exp,
    now: nowSeconds(deps.clock),
  });
  if (!recorded) throw new InvalidLoginTokenError('the login token is not valid for this customer');
  deps.events.emit('token.issued', {
    grantType: 'login_token',
    clientId: `login-token:${loginToken.id}`,
    jti,
    kind: 'access_token',
  });
  return { id: jti, encoded: issued.token };
}
