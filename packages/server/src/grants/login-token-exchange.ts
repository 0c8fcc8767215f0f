import { InvalidLoginTokenError, TooManyRequestsError } from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import { nowSeconds } from '../lib/clock.js';
import type { ExchangeLimits } from '../limits/exchange-limits.js';
import { spendEach } from '../limits/limiter.js';
import { type ClaimShaper, issueAccessToken } from '../tokens/access-token.js';

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
  gk: Gridkey,
  limits: ExchangeLimits,
  dialect: ExchangeDialect,
  request: ExchangeRequest,
): Promise<{ id: string; encoded: string }> {
  // An address that failed too often is refused outright. A customer that
  // failed too often answers further failures with 429, but its real login
  // token still works: a customer uuid is no secret, and must not let anyone
  // lock the customer out.
  const addressKey = `address:${request.address}`;
  const addressWait = await limits.failures.blockedFor(addressKey);
  if (addressWait !== undefined) {
    throw new TooManyRequestsError('too many failed exchanges; try again later', addressWait);
  }
  const loginToken = await gk.loginTokens.authenticate(request.customerUuid, request.loginToken);
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
    gk,
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
  const recorded = await gk.store.loginTokens.recordExchange({
    id: loginToken.id,
    jti,
    exp: issued.exp,
    now: nowSeconds(gk.clock),
  });
  if (!recorded) throw new InvalidLoginTokenError('the login token is not valid for this customer');
  gk.events.emit('token.issued', {
    grantType: 'login_token',
    clientId: `login-token:${loginToken.id}`,
    jti,
    kind: 'access_token',
  });
  return { id: jti, encoded: issued.token };
}
