import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { TokenClient, type TokenClientEvent, TokenRequestError } from '../src/index.js';
import {
  type Loopback,
  sqlite,
  startProxy,
  startVerifiedApi,
  until,
  type VerifiedApi,
} from './helpers.js';

const CUSTOMER = '9796513c-e811-4b75-b2eb-b36b9f1a1b8c';

describe('TokenClient.loginToken against gridkey (the Enectiva exchange)', () => {
  let server: TestServer;
  let proxy: Loopback;
  let api: VerifiedApi;
  let loginToken: string;

  beforeAll(async () => {
    server = await startTestServer(sqlite(), { config: { profiles: ['enectiva'] } });
    proxy = await startProxy(server.url);
    api = await startVerifiedApi(server);
    ({ token: loginToken } = await server.gk.loginTokens.create({
      customerUuid: CUSTOMER,
      scopes: ['entity_consumptions'],
    }));
  });
  afterAll(async () => {
    await api.close();
    await proxy.close();
    await server.close();
  });

  it('exchanges the login token once for any number of callers, as the seed’s JSON:API document', async () => {
    const events: TokenClientEvent[] = [];
    const client = TokenClient.loginToken({
      url: `${proxy.url}/access_tokens`,
      customerUuid: CUSTOMER,
      loginToken,
      onEvent: (e) => events.push(e),
    });
    const from = proxy.log.length;
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => client.getToken()));
    expect(new Set(tokens).size).toBe(1);
    const sent = proxy.log.slice(from);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.path).toBe('/access_tokens');
    expect(sent[0]?.contentType).toBe('application/vnd.api+json');
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({
      data: {
        type: 'login_tokens',
        attributes: { customer_uuid: CUSTOMER, login_token: loginToken },
      },
    });
    expect(tokens[0]).toBe(proxy.newestToken);
    expect(decodeJwt(tokens[0] ?? '').scp).toEqual(['entity_consumptions']);
    const res = await client.fetch(`${api.url}/entities`);
    expect(res.status).toBe(200);
  });

  it('reads the lifetime from the JWT (no expires_in) and renews it in the background', async () => {
    let now = 0;
    const events: TokenClientEvent[] = [];
    const client = TokenClient.loginToken({
      url: `${proxy.url}/access_tokens`,
      customerUuid: CUSTOMER,
      loginToken,
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    const first = await client.getToken();
    const claims = decodeJwt(first);
    const renewed = events[0];
    expect(renewed?.type === 'renewed' && renewed.expiresInMs).toBe(
      ((claims.exp ?? 0) - (claims.iat ?? 0)) * 1000,
    );
    expect(renewed?.type === 'renewed' && renewed.expiresInMs).toBe(300_000);
    now += 300_000 * 0.81;
    expect(await client.getToken()).toBe(first); // no caller waits
    await until(() => events.length >= 2, 'the background renewal');
    expect(events[1]).toMatchObject({ type: 'renewed', background: true, source: 'endpoint' });
    expect(await client.getToken()).not.toBe(first);
  });

  it('fails fast on a wrong login token with the JSON:API error code, and never shows the token', async () => {
    const wrong = 'f'.repeat(64);
    const client = TokenClient.loginToken({
      url: `${proxy.url}/access_tokens`,
      customerUuid: CUSTOMER,
      loginToken: wrong,
    });
    const from = proxy.log.length;
    const err = await client.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRequestError);
    expect(err).toMatchObject({ code: 'refused', attempts: 1 });
    expect((err as TokenRequestError).error).toMatch(/^invalid_/);
    expect([400, 401]).toContain((err as TokenRequestError).status);
    expect(String(err)).not.toContain(wrong);
    expect(proxy.log.length - from).toBe(1);
  });

  it('names the option at fault', () => {
    const base = { url: `${proxy.url}/access_tokens`, customerUuid: CUSTOMER, loginToken };
    expect(() => TokenClient.loginToken({ ...base, url: 'not a url' })).toThrow(/^url /);
    expect(() => TokenClient.loginToken({ ...base, loginToken: '' })).toThrow(/loginToken/);
    expect(() => TokenClient.loginToken({ ...base, customerUuid: 7 as never })).toThrow(
      /customerUuid/,
    );
  });
});
