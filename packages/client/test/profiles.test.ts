import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { EDRV_AUDIENCE, TokenClient, type TokenClientEvent } from '../src/index.js';
import {
  type Loopback,
  sqlite,
  startProxy,
  startVerifiedApi,
  type VerifiedApi,
} from './helpers.js';

const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

/** The four presets against one gridkey serving every profile, each on its own path. */
describe('TokenClient.forProfile against gridkey serving that profile', () => {
  let server: TestServer;
  let proxy: Loopback;
  let api: VerifiedApi;

  beforeAll(async () => {
    server = await startTestServer(sqlite(), {
      config: {
        profiles: ['edrv', 'depotfinity', 'net2grid', 'enectiva'],
        passwordScryptLogN: 10,
      },
    });
    proxy = await startProxy(server.url);
    api = await startVerifiedApi(server);
  });
  afterAll(async () => {
    await api.close();
    await proxy.close();
    await server.close();
  });

  const lastRequests = (from: number) => proxy.log.slice(from);

  it('edrv: /oauth/token, id, secret and audience in the form, the 24-hour token of the seed', async () => {
    const edrv = await server.client({
      name: 'edrv app',
      scopes: ['read:x', 'write:y'],
      audiences: [EDRV_AUDIENCE],
      authMethod: 'client_secret_post',
    });
    const events: TokenClientEvent[] = [];
    const client = TokenClient.forProfile('edrv', {
      baseUrl: proxy.url,
      clientId: edrv.id,
      clientSecret: edrv.secret,
      onEvent: (e) => events.push(e),
    });
    const from = proxy.log.length;
    const token = await client.getToken();
    const [sent] = lastRequests(from);
    expect(sent?.path).toBe('/oauth/token');
    expect(sent?.authorization).toBeUndefined();
    expect(form(sent?.body ?? '')).toEqual({
      grant_type: 'client_credentials',
      audience: EDRV_AUDIENCE,
      client_id: edrv.id,
      client_secret: edrv.secret,
    });
    expect(decodeJwt(token).aud).toBe(EDRV_AUDIENCE);
    expect(events[0]).toMatchObject({ type: 'renewed', expiresInMs: 86_400_000 });
    // An eDRV API checks its own audience (RFC 9068 §4).
    const edrvApi = await startVerifiedApi(server, { audience: EDRV_AUDIENCE });
    try {
      expect((await client.fetch(`${edrvApi.url}/chargestations`)).status).toBe(200);
    } finally {
      await edrvApi.close();
    }
  });

  it('depotfinity: /oauth2/token with Basic; a bad secret is its 403, sent once', async () => {
    const depot = await server.client({ name: 'depot app', scopes: ['depots:read'] });
    const client = TokenClient.forProfile('depotfinity', {
      baseUrl: `${proxy.url}/`,
      clientId: depot.id,
      clientSecret: depot.secret,
    });
    const from = proxy.log.length;
    await client.getToken();
    const [sent] = lastRequests(from);
    expect(sent?.path).toBe('/oauth2/token');
    expect(sent?.authorization).toBe(
      `Basic ${Buffer.from(`${depot.id}:${depot.secret}`).toString('base64')}`,
    );
    expect(form(sent?.body ?? '')).toEqual({ grant_type: 'client_credentials' });

    const wrong = TokenClient.forProfile('depotfinity', {
      baseUrl: proxy.url,
      clientId: depot.id,
      clientSecret: 'not-the-secret',
    });
    const before = proxy.log.length;
    await expect(wrong.getToken()).rejects.toMatchObject({
      code: 'refused',
      status: 403,
      error: 'invalid_client',
      attempts: 1,
    });
    expect(proxy.log.length - before).toBe(1);
  });

  it('net2grid: /v2/token, the password grant with every field in the form, then refresh only', async () => {
    const n2g = await server.client({
      name: 'n2g app',
      scopes: ['readings'],
      grantTypes: ['password', 'refresh_token'],
      authMethod: 'client_secret_post',
    });
    await server.gk.users.create('eve@example.com', 'an insight password');
    let now = 0;
    const events: TokenClientEvent[] = [];
    const client = TokenClient.forProfile('net2grid', {
      baseUrl: proxy.url,
      clientId: n2g.id,
      clientSecret: n2g.secret,
      username: 'eve@example.com',
      password: 'an insight password',
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    const from = proxy.log.length;
    const first = await client.getToken();
    now += 3_600_000; // expired: the next call renews
    const second = await client.getToken();
    expect(second).not.toBe(first);
    const sent = lastRequests(from);
    expect(sent.map((r) => r.path)).toEqual(['/v2/token', '/v2/token']);
    expect(form(sent[0]?.body ?? '')).toEqual({
      grant_type: 'password',
      username: 'eve@example.com',
      password: 'an insight password',
      client_id: n2g.id,
      client_secret: n2g.secret,
    });
    expect(form(sent[1]?.body ?? '')).toMatchObject({ grant_type: 'refresh_token' });
    expect(events.map((e) => e.type)).toEqual(['renewed', 'renewed']);
    expect((await client.fetch(`${api.url}/readings`)).status).toBe(200);
  });

  it('enectiva: /access_tokens, JSON:API, the token from data.attributes.encoded', async () => {
    const customer = '5123d8ef-b501-4c71-b188-83ac399d66b9';
    const { token: loginToken } = await server.gk.loginTokens.create({
      customerUuid: customer,
      scopes: ['entity_consumptions'],
    });
    const client = TokenClient.forProfile('enectiva', {
      baseUrl: proxy.url,
      customerUuid: customer,
      loginToken,
    });
    const from = proxy.log.length;
    const token = await client.getToken();
    const [sent] = lastRequests(from);
    expect(sent?.path).toBe('/access_tokens');
    expect(token).toBe(proxy.newestToken);
    expect(decodeJwt(token).sub).toBe(customer);
    expect((await client.fetch(`${api.url}/entities`)).status).toBe(200);
  });

  it('keeps a base path, and refuses what a preset fixes', () => {
    expect(() =>
      TokenClient.forProfile('kostal' as never, { baseUrl: proxy.url } as never),
    ).toThrow(/profile must be one of edrv, depotfinity, net2grid, enectiva/);
    expect(() =>
      TokenClient.forProfile('edrv', {
        baseUrl: proxy.url,
        clientId: 'a',
        clientSecret: 'b',
        tokenUrl: 'http://elsewhere',
      } as never),
    ).toThrow(/tokenUrl is set by the edrv preset/);
    expect(() =>
      TokenClient.forProfile('depotfinity', {
        baseUrl: 'https://host/x?y=1',
        clientId: 'a',
        clientSecret: 'b',
      }),
    ).toThrow(/baseUrl/);
  });
});
