import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { InvalidLoginTokenError, TooManyRequestsError } from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import { nowSeconds } from '../lib/clock.js';
import { type Limiter, type Limiters, spendEach } from '../limits/limiter.js';
import { ENECTIVA_ACCESS_TOKEN_TTL_SECONDS, enectivaClaims } from '../profiles/enectiva.js';
import { issueAccessToken } from '../tokens/access-token.js';

export interface ExchangeLimits {
  /** Failed exchanges, keyed by address and by customer. */
  failures: Limiter;
  /** Successful exchanges, keyed by login token id. */
  successes: Limiter;
}

export function exchangeLimits(limiters: Limiters, config: Config): ExchangeLimits {
  return {
    failures: limiters.create({
      name: 'login-exchange-failures',
      points: config.loginExchangeFailuresPerMinute,
      durationSeconds: 60,
    }),
    successes: limiters.create({
      name: 'login-exchange-successes',
      points: config.loginExchangeSuccessesPerMinute,
      durationSeconds: 60,
    }),
  };
}

export interface ExchangeRequest {
  customerUuid: string;
  loginToken: string;
  address: string;
  issuer: string;
}

/**
 * Exchanges a customer's login token for a 5-minute access token carrying
 * the login token's permissions. Nothing is issued or stored on any failure.
 */
export async function exchangeLoginToken(
  gk: Gridkey,
  limits: ExchangeLimits,
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
  // The seed's ids are 16 hex characters ("c0f687ac6b47c3ab").
  const jti = randomBytes(8).toString('hex');
  const issued = issueAccessToken(
    gk,
    {
      issuer: request.issuer,
      subject: loginToken.subjectUuid,
      audience: request.issuer,
      scopes: loginToken.scopes,
      ttlSeconds: ENECTIVA_ACCESS_TOKEN_TTL_SECONDS,
      jti,
    },
    enectivaClaims(loginToken.id, loginToken.scopes),
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
