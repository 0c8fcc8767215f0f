import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidLoginTokenError, TooManyRequestsError } from '../errors.js';
import {
  es256Keys,
  recordingEvents,
  steppingClock,
  temporaryStore,
} from '../lib/unit-fixtures.test-helper.js';
import { exchangeLimits } from '../limits/exchange-limits.js';
import { memoryLimiters } from '../limits/limiter.js';
import { LoginTokens } from '../tokens/login-tokens.js';
import { type ExchangeDialect, exchangeLoginToken } from './login-token-exchange.js';

const ISSUER = 'https://gridkey.example';
const CUSTOMER = '9796513c-e811-4b75-b2eb-b36b9f1a1b8c';

/** A dialect of the test's own: the grant knows no platform. */
const dialect: ExchangeDialect = {
  ttlSeconds: 900,
  newTokenId: () => `t-${Math.random().toString(36).slice(2)}`,
  claims: (loginToken) => (claims) => ({ ...claims, scope: undefined, perms: loginToken.scopes }),
};

describe('the login-token exchange', () => {
  let store: Awaited<ReturnType<typeof temporaryStore>>;
  beforeEach(async () => {
    store = await temporaryStore();
  });
  afterEach(async () => {
    await store.dispose();
  });

  async function setup(
    limits = { loginExchangeFailuresPerMinute: 2, loginExchangeSuccessesPerMinute: 3 },
  ) {
    const clock = steppingClock();
    const events = recordingEvents();
    const loginTokens = new LoginTokens({ store, pepper: Buffer.alloc(32, 3), clock });
    const deps = {
      keys: es256Keys(),
      clock,
      loginTokens,
      store,
      events: events.bus,
      limits: exchangeLimits(memoryLimiters(), limits),
    };
    const exchange = (loginToken: string, address = '10.0.0.1', customerUuid = CUSTOMER) =>
      exchangeLoginToken(deps, dialect, { customerUuid, loginToken, address, issuer: ISSUER });
    return { events, loginTokens, exchange };
  }

  it("issues a token in the dialect's shape and lifetime, recorded against the login token", async () => {
    const { events, loginTokens, exchange } = await setup();
    const { record, token } = await loginTokens.create({
      customerUuid: CUSTOMER,
      scopes: ['meter:read'],
    });
    const { id, encoded } = await exchange(token);
    const claims = decodeJwt(encoded);
    expect(claims).toMatchObject({
      jti: id,
      sub: record.subjectUuid,
      perms: ['meter:read'],
      aud: ISSUER,
    });
    expect(claims.scope).toBeUndefined();
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
    expect(events.issued).toEqual([
      {
        grantType: 'login_token',
        clientId: `login-token:${record.id}`,
        jti: id,
        kind: 'access_token',
      },
    ]);
  });

  it('refuses a token for another customer and a revoked one, issuing nothing', async () => {
    const { events, loginTokens, exchange } = await setup();
    const { record, token } = await loginTokens.create({ customerUuid: CUSTOMER, scopes: [] });
    await expect(
      exchange(token, '10.0.0.1', '00000000-0000-4000-8000-000000000000'),
    ).rejects.toBeInstanceOf(InvalidLoginTokenError);
    await loginTokens.revoke(record.id);
    await expect(exchange(token, '10.0.0.2')).rejects.toBeInstanceOf(InvalidLoginTokenError);
    expect(events.issued).toEqual([]);
  });

  it("throttles a failing address outright, a guessed customer's failures but not its real token", async () => {
    const { loginTokens, exchange } = await setup();
    const { token } = await loginTokens.create({ customerUuid: CUSTOMER, scopes: [] });
    await expect(exchange('a'.repeat(64), '10.0.0.1')).rejects.toBeInstanceOf(
      InvalidLoginTokenError,
    );
    await expect(exchange('b'.repeat(64), '10.0.0.1')).rejects.toBeInstanceOf(
      InvalidLoginTokenError,
    );
    // The address's budget is spent: refused before anything is checked.
    await expect(exchange(token, '10.0.0.1')).rejects.toBeInstanceOf(TooManyRequestsError);
    // The customer's budget is spent too: guesses from elsewhere get 429, its real token works.
    await expect(exchange('c'.repeat(64), '10.0.0.9')).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(exchange(token, '10.0.0.9')).resolves.toHaveProperty('encoded');
  });

  it('bounds the exchanges of one login token a minute', async () => {
    const { loginTokens, exchange } = await setup();
    const { token } = await loginTokens.create({ customerUuid: CUSTOMER, scopes: [] });
    for (let i = 0; i < 3; i++) await exchange(token);
    await expect(exchange(token)).rejects.toBeInstanceOf(TooManyRequestsError);
  });
});
