import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { CUSTOMER, exchange, exchangeBody } from '../../../../test/helpers/json-api.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import { exchangeLoginToken } from '../../src/grants/login-token-exchange.js';
import { exchangeLimits } from '../../src/limits/exchange-limits.js';
import { memoryLimiters } from '../../src/limits/limiter.js';
import { enectivaExchange } from '../../src/profiles/enectiva/claims.js';

const OTHER = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

describe.each(storeTargets())('login-token exchange limits and revocation on $kind', (target) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers 429 with Retry-After once an address has failed too often, even for a good token', async () => {
    server = await startTestServer(target, {
      config: { loginExchangeFailuresPerMinute: 3, profiles: ['enectiva'] },
    });
    const good = (await server.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: [] })).token;
    for (let i = 0; i < 3; i++) {
      expect((await exchange(server.url, exchangeBody(OTHER, 'e'.repeat(64)))).status).toBe(401);
    }
    const blocked = await exchange(server.url, exchangeBody(CUSTOMER, good));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.json?.errors[0]).toMatchObject({ status: '429', code: 'too_many_requests' });
  });

  it('counts failures per customer as well as per address, without locking the customer out', async () => {
    server = await startTestServer(target, {
      config: { loginExchangeFailuresPerMinute: 2, profiles: ['enectiva'] },
    });
    const gk = server.gk;
    const limits = exchangeLimits(memoryLimiters(), gk.config);
    const good = (await gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: [] })).token;
    const attempt = (address: string, token: string) =>
      exchangeLoginToken({ ...gk, limits }, enectivaExchange, {
        customerUuid: CUSTOMER,
        loginToken: token,
        address,
        issuer: server?.url ?? '',
      });
    await expect(attempt('10.0.0.1', 'a'.repeat(64))).rejects.toThrow(
      'the login token is not valid',
    );
    await expect(attempt('10.0.0.2', 'b'.repeat(64))).rejects.toThrow(
      'the login token is not valid',
    );
    // A third address, never seen failing: the customer's budget is spent, so guessing gets 429…
    await expect(attempt('10.0.0.3', 'c'.repeat(64))).rejects.toMatchObject({ status: 429 });
    // …but the customer's real login token still works: its uuid is no secret.
    await expect(attempt('10.0.0.4', good)).resolves.toMatchObject({ id: expect.any(String) });
  });

  it('limits successful exchanges per login token', async () => {
    server = await startTestServer(target, {
      config: { loginExchangeSuccessesPerMinute: 2, profiles: ['enectiva'] },
    });
    const lt = await server.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: [] });
    expect((await exchange(server.url, exchangeBody(CUSTOMER, lt.token))).status).toBe(201);
    expect((await exchange(server.url, exchangeBody(CUSTOMER, lt.token))).status).toBe(201);
    const third = await exchange(server.url, exchangeBody(CUSTOMER, lt.token));
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    const another = (await server.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: [] }))
      .token;
    expect((await exchange(server.url, exchangeBody(CUSTOMER, another))).status).toBe(201);
  });

  it('revoking a login token stops exchanges and revokes its live access tokens', async () => {
    server = await startTestServer(target, { config: { profiles: ['enectiva'] } });
    const rs = await server.client({ name: 'rs', resourceServer: true });
    const lt = await server.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: ['x'] });
    const kept = await server.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: ['x'] });
    const issued = [];
    for (let i = 0; i < 3; i++)
      issued.push((await exchange(server.url, exchangeBody(CUSTOMER, lt.token))).json?.data);
    const other = (await exchange(server.url, exchangeBody(CUSTOMER, kept.token))).json?.data;

    const cli = await runCli([
      'login-token',
      'revoke',
      String(lt.record.id),
      '--json',
      '--data-dir',
      server.dataDir,
      '--db',
      server.dbUrl,
    ]);
    expect(cli.code).toBe(0);
    expect(cli.json()).toEqual({ id: lt.record.id, revoked: true });

    expect((await exchange(server.url, exchangeBody(CUSTOMER, lt.token))).status).toBe(401);
    const introspect = (t: string) =>
      postForm(
        `${server?.url}/oauth2/introspect`,
        { token: t },
        { authorization: basic(rs.id, rs.secret) },
      );
    for (const doc of issued)
      expect((await introspect(doc?.attributes.encoded ?? '')).json).toEqual({ active: false });
    expect((await introspect(other?.attributes.encoded ?? '')).json.active).toBe(true);

    const feed = (await (await fetch(`${server.url}/revocations?after=0`)).json()) as {
      revocations: { jti: string }[];
    };
    expect(feed.revocations.map((r) => r.jti).sort()).toEqual(issued.map((d) => d?.id).sort());

    const again = await runCli([
      'login-token',
      'revoke',
      String(lt.record.id),
      '--json',
      '--data-dir',
      server.dataDir,
      '--db',
      server.dbUrl,
    ]);
    expect(again.json()).toEqual({ id: lt.record.id, revoked: true, already_revoked: true });
  });

  it('keeps parallel exchanges consistent, also against a racing revocation', async () => {
    server = await startTestServer(target, {
      config: { loginExchangeSuccessesPerMinute: 1000, profiles: ['enectiva'] },
    });
    const s = server;
    const lt = await s.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: ['p'] });
    const first = await Promise.all(
      Array.from({ length: 20 }, () => exchange(s.url, exchangeBody(CUSTOMER, lt.token))),
    );
    expect(first.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(first.map((r) => r.json?.data.id)).size).toBe(20);
    const jwks = createRemoteJWKSet(new URL(`${s.url}/.well-known/jwks.json`));
    for (const r of first) await jwtVerify(r.json?.data.attributes.encoded ?? '', jwks);

    const racing = Array.from({ length: 20 }, () =>
      exchange(s.url, exchangeBody(CUSTOMER, lt.token)),
    );
    const revoke = s.gk.loginTokens.revoke(lt.record.id);
    const results = await Promise.all(racing);
    await revoke;
    expect(results.every((r) => r.status === 201 || r.status === 401)).toBe(true);
    const feed = (await (await fetch(`${s.url}/revocations?after=0`)).json()) as {
      revocations: { jti: string }[];
    };
    const revokedJtis = new Set(feed.revocations.map((r) => r.jti));
    // Every token the server handed out, before or during the revocation, is revoked.
    for (const r of [...first, ...results].filter((x) => x.status === 201)) {
      expect(revokedJtis.has(r.json?.data.id ?? '')).toBe(true);
    }
  });
});
