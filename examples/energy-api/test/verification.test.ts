import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreTarget, storeTargets } from '../../../test/helpers/stores.js';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import {
  accessToken,
  bearer,
  type EnergyApiFixture,
  startEnergyApi,
} from './energy-api-fixture.js';

// SQLite only: the API is what is under test here, not gridkey's stores.
const [sqlite] = storeTargets() as [StoreTarget];
const WEEK = 'from=2026-01-05T00:00:00Z&to=2026-01-12T00:00:00Z';
const reading = { at: '2026-01-12T00:00:00Z', kwh: 1 };

describe('the energy API behind @gridkey/verify', () => {
  let gridkey: TestServer;
  let api: EnergyApiFixture;
  let metersOnly: string;

  beforeAll(async () => {
    gridkey = await startTestServer(sqlite);
    api = await startEnergyApi(gridkey);
    metersOnly = await accessToken(gridkey, ['meters:read']);
  });
  afterAll(async () => {
    await api?.close();
    await gridkey?.close();
  });

  it('answers a request without a token 401 with a bare challenge', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/meters' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ error_description: 'a bearer token is required' });
  });

  it('checks the token before the body: no token and a bad body is still 401', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/meters/m-1001/readings',
      payload: { kwh: -1 },
    });
    expect(res.statusCode).toBe(401);
  });

  it('lets a meters:read token list meters, and nothing else', async () => {
    const list = await api.app.inject({
      method: 'GET',
      url: '/meters',
      headers: bearer(metersOnly),
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().meters).toHaveLength(3);

    const read = await api.app.inject({
      method: 'GET',
      url: `/meters/m-1001/readings?${WEEK}`,
      headers: bearer(metersOnly),
    });
    expect(read.statusCode).toBe(403);
    expect(read.headers['www-authenticate']).toMatch(
      /^Bearer realm="api", error="insufficient_scope", error_description="[^"]+", scope="readings:read"$/,
    );
    expect(read.json().error).toBe('insufficient_scope');

    const write = await api.app.inject({
      method: 'POST',
      url: '/meters/m-1001/readings',
      headers: bearer(metersOnly),
      payload: reading,
    });
    expect(write.statusCode).toBe(403);
    expect(write.headers['www-authenticate']).toMatch(/scope="readings:write"$/);
    expect(write.json().error).toBe('insufficient_scope');
    // Refused before the handler: nothing was stored.
    const stored = await api.db
      .selectFrom('readings')
      .select('at')
      .where('at', '=', Date.parse(reading.at))
      .execute();
    expect(stored).toEqual([]);
  });

  it('refuses a readings:read token on POST, and a readings:write token on GET', async () => {
    const reader = await accessToken(gridkey, ['readings:read']);
    const writer = await accessToken(gridkey, ['readings:write']);
    const post = await api.app.inject({
      method: 'POST',
      url: '/meters/m-1001/readings',
      headers: bearer(reader),
      payload: reading,
    });
    expect(post.statusCode).toBe(403);
    const get = await api.app.inject({
      method: 'GET',
      url: `/meters/m-1001/readings?${WEEK}`,
      headers: bearer(writer),
    });
    expect(get.statusCode).toBe(403);
    const list = await api.app.inject({ method: 'GET', url: '/meters', headers: bearer(writer) });
    expect(list.statusCode).toBe(403);
  });

  it('refuses a token in the query string with 400, even beside a good header', async () => {
    const res = await api.app.inject({
      method: 'GET',
      url: `/meters?access_token=${metersOnly}`,
      headers: bearer(metersOnly),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description:
        'tokens are not accepted in the query string; use the Authorization header',
    });
  });

  it('refuses a token that is not one', async () => {
    const res = await api.app.inject({
      method: 'GET',
      url: '/meters',
      headers: bearer('not.a.jwt'),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_token');
  });

  it('serves /healthz without a token, with the verifier’s state', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(body.verifier).toMatchObject({ ok: true, feed: { state: 'live' } });
    expect(body.verifier.keys.kids.length).toBeGreaterThan(0);
  });

  it.each([
    [
      'edrv' as const,
      'application/json; charset=utf-8',
      { ok: false, message: 'no meter with id m-9999', result: null },
    ],
    [
      'jsonapi' as const,
      'application/vnd.api+json',
      {
        errors: [
          {
            status: '404',
            code: 'not_found',
            title: 'Not found',
            detail: 'no meter with id m-9999',
          },
        ],
      },
    ],
  ])('answers its own errors in the %s style too', async (errorStyle, contentType, body) => {
    const styled = await startEnergyApi(gridkey, { errorStyle });
    try {
      const token = await accessToken(gridkey, ['readings:read']);
      const res = await styled.app.inject({
        method: 'GET',
        url: `/meters/m-9999/readings?${WEEK}`,
        headers: bearer(token),
      });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe(contentType);
      expect(res.json()).toEqual(body);
      const none = await styled.app.inject({ method: 'GET', url: '/meters' });
      expect(none.statusCode).toBe(401);
      expect(Object.keys(none.json())).toEqual(Object.keys(body));
    } finally {
      await styled.close();
    }
  });
});

describe('the energy API with ENERGY_API_VERIFY=off (benchmark only)', () => {
  let api: EnergyApiFixture;
  beforeAll(async () => {
    api = await startEnergyApi(undefined);
  });
  afterAll(() => api?.close());

  it('serves every route without a token and says so in /healthz', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/meters' })).statusCode).toBe(200);
    const post = await api.app.inject({
      method: 'POST',
      url: '/meters/m-1001/readings',
      payload: reading,
    });
    expect(post.statusCode).toBe(201);
    const health = await api.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok', verifier: 'off' });
  });
});
