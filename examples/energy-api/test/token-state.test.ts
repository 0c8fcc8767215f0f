import { setTimeout as sleep } from 'node:timers/promises';
import { createVerifier, type Verifier } from '@gridkey/verify';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  issueAccessToken,
  revokeAccessTokenById,
} from '../../../packages/server/src/tokens/access-token.js';
import { feedProxy } from '../../../test/helpers/feed-proxy.js';
import { storeTargets } from '../../../test/helpers/stores.js';
import {
  basic,
  clientCredentials,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../test/helpers/test-server.js';
import { buildEnergyApi } from '../src/build-app.js';
import { type EnergyDb, openEnergyDb } from '../src/db.js';
import type { ErrorStyle } from '../src/error-style.js';

/** The design's promise: a change is refused by every verifier within this long. */
const STATE_DEADLINE_MS = 2000;
const CUSTOMER = '9796513c-e811-4b75-b2eb-b36b9f1a1b8c';
const PASSWORD = 'correct horse battery';
const METER_SCOPES = ['meters:read', 'readings:read'];

interface Api {
  app: FastifyInstance;
  verifier: Verifier;
  db: EnergyDb;
  close(): Promise<void>;
}

async function energyApi(verifier: Verifier, errorStyle: ErrorStyle = 'rfc6750'): Promise<Api> {
  await verifier.ready();
  const db = await openEnergyDb(':memory:');
  const app = await buildEnergyApi({ verifier, db, errorStyle });
  await app.ready();
  return {
    app,
    verifier,
    db,
    async close() {
      await app.close();
      await verifier.close();
      await db.destroy();
    },
  };
}

const meters = (api: Api, headers: Record<string, string>) =>
  api.app.inject({ method: 'GET', url: '/meters', headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Waits until `check` passes, or fails with its last error after `ms`. */
async function eventually(check: () => Promise<void>, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}

describe.each(storeTargets())('the energy API refuses changed tokens on $kind', (target) => {
  let gk: TestServer;
  let rs: { id: string; secret: string };
  let reader: { id: string; secret: string };

  beforeAll(async () => {
    gk = await startTestServer(target, {
      config: {
        profiles: ['net2grid', 'kostal', 'enectiva'],
        passwordScryptLogN: 10,
        roles: { 'meter-app': METER_SCOPES },
      },
    });
    rs = await gk.client({ name: 'energy api', scopes: [], resourceServer: true });
    reader = await gk.client({ name: 'meter reader', scopes: METER_SCOPES });
    await gk.gk.users.create('jane@example.com', PASSWORD);
  });
  afterAll(() => gk.close());

  const verifier = (options: Partial<Parameters<typeof createVerifier>[0]> = {}) =>
    createVerifier({
      issuer: gk.url,
      introspection: { clientId: rs.id, clientSecret: rs.secret },
      ...options,
    });
  const accessToken = async () => (await clientCredentials(gk, reader)).json.access_token as string;
  const passwordLogin = async () => {
    const app = await gk.client({
      name: 'app',
      scopes: METER_SCOPES,
      grantTypes: ['password', 'refresh_token'],
      authMethod: 'client_secret_post',
    });
    const res = await postForm(`${gk.url}/v2/token`, {
      grant_type: 'password',
      client_id: app.id,
      client_secret: app.secret,
      username: 'jane@example.com',
      password: PASSWORD,
      scope: METER_SCOPES.join(' '),
    });
    expect(res.status).toBe(200);
    return {
      app,
      access: res.json.access_token as string,
      refresh: res.json.refresh_token as string,
    };
  };
  const exchange = async () => {
    const login = await gk.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: METER_SCOPES });
    const res = await fetch(`${gk.url}/access_tokens`, {
      method: 'POST',
      headers: { accept: 'application/vnd.api+json', 'content-type': 'application/vnd.api+json' },
      body: JSON.stringify({
        data: {
          type: 'login_tokens',
          attributes: { customer_uuid: CUSTOMER, login_token: login.token },
        },
      }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { data: { attributes: { encoded: string } } };
    return { id: login.record.id, token: body.data.attributes.encoded };
  };
  const pat = async (grant: { api: boolean; web: boolean }) => {
    const created = await gk.gk.pats.create({ name: 'meter app', role: 'meter-app' });
    await gk.gk.pats.authorise(created.record.id, grant);
    return { id: created.record.id, token: created.token };
  };
  const apiKey = () => gk.gk.apiKeys.create({ name: 'charger', scopes: METER_SCOPES });

  it(`refuses every kind of changed token within ${STATE_DEADLINE_MS} ms, cached or not, and after a restart`, async () => {
    const api = await energyApi(verifier());
    try {
      const access = await accessToken();
      const byJti = await accessToken();
      const leakedClient = await gk.client({ name: 'leaked', scopes: METER_SCOPES });
      const killed = (await clientCredentials(gk, leakedClient)).json.access_token as string;
      const family = await passwordLogin();
      const enectiva = await exchange();
      const revokedPat = await pat({ api: true, web: false });
      const deauthorisedPat = await pat({ api: true, web: false });
      const key = await apiKey();
      const untouched = await pat({ api: true, web: false });
      const cases: [string, Record<string, string>][] = [
        ['access token', bearer(access)],
        ['access token by jti (operator)', bearer(byJti)],
        ['client kill switch', bearer(killed)],
        ['refresh family', bearer(family.access)],
        ['login token', bearer(enectiva.token)],
        ['PAT revoked', bearer(revokedPat.token)],
        ['PAT de-authorised for the API', bearer(deauthorisedPat.token)],
        ['API key', { 'x-api-key': key.key }],
      ];
      // Every token works (a PAT once the feed has told its authorisation)
      // and is now in the verifier's caches.
      for (const [name, headers] of [
        ...cases,
        ['untouched PAT', bearer(untouched.token)],
      ] as const) {
        await eventually(async () => {
          expect([name, (await meters(api, headers)).statusCode]).toEqual([name, 200]);
        });
      }
      const hitsBefore = api.verifier.health().cache.hits;
      expect((await meters(api, bearer(access))).statusCode).toBe(200);
      expect(api.verifier.health().cache.hits).toBeGreaterThan(hitsBefore);

      const auth = { authorization: basic(reader.id, reader.secret) };
      expect((await postForm(`${gk.url}/oauth2/revoke`, { token: access }, auth)).status).toBe(200);
      const familyAuth = { client_id: family.app.id, client_secret: family.app.secret };
      const revokeFamily = await postForm(`${gk.url}/oauth2/revoke`, {
        token: family.refresh,
        ...familyAuth,
      });
      expect(revokeFamily.status).toBe(200);
      await gk.gk.loginTokens.revoke(enectiva.id);
      await revokeAccessTokenById(gk.gk, decodeJwt(byJti).jti as string);
      await gk.gk.clients.revokeTokens(leakedClient.id);
      await gk.gk.pats.revoke(revokedPat.id);
      await gk.gk.pats.authorise(deauthorisedPat.id, { api: false, web: true });
      await gk.gk.apiKeys.revoke(key.record.id);
      // Every change is committed by now: the deadline runs from here, as a
      // feed read that began between two changes can have seen only the first.
      const changedAt = Date.now();

      // The promise, whatever the machine's load: by the deadline the verifier
      // has either read the change or knows its view is too old to trust.
      await sleep(changedAt + STATE_DEADLINE_MS - Date.now());
      for (const [name, headers] of cases) {
        const res = await meters(api, headers);
        expect([name, res.statusCode >= 400]).toEqual([name, true]);
      }
      // And the reason is the change itself, not the feed's state.
      for (const [name, headers] of cases) {
        await eventually(async () => {
          const res = await meters(api, headers);
          expect([name, res.statusCode, res.json().error]).toEqual([name, 401, 'invalid_token']);
        });
      }
      expect((await meters(api, bearer(untouched.token))).statusCode).toBe(200);

      // A verifier that starts afresh learns the same from the feed's snapshot.
      const restarted = await energyApi(verifier());
      try {
        for (const [name, headers] of cases) {
          const res = await meters(restarted, headers);
          expect([name, res.statusCode]).toEqual([name, 401]);
        }
        expect((await meters(restarted, bearer(untouched.token))).statusCode).toBe(200);
        await expect(restarted.verifier.verify(revokedPat.token)).rejects.toMatchObject({
          code: 'revoked',
        });
        await expect(restarted.verifier.verify(deauthorisedPat.token)).rejects.toMatchObject({
          code: 'not_authorised',
        });
        await expect(restarted.verifier.verify(access)).rejects.toMatchObject({ code: 'revoked' });
      } finally {
        await restarted.close();
      }
    } finally {
      await api.close();
    }
  });

  it('refuses a PAT past a shortened authorisation, a pending PAT, and one authorised only for the web page', async () => {
    const api = await energyApi(verifier());
    try {
      const pending = await gk.gk.pats.create({ name: 'pending', role: 'meter-app' });
      const web = await pat({ api: false, web: true });
      const shortened = await pat({ api: true, web: false });
      await eventually(async () => {
        expect((await meters(api, bearer(shortened.token))).statusCode).toBe(200);
      });
      await gk.gk.pats.authorise(shortened.id, {
        api: true,
        web: false,
        until: Math.floor(Date.now() / 1000) + 1,
      });
      await eventually(async () => {
        await expect(api.verifier.verify(shortened.token)).rejects.toMatchObject({
          code: 'expired',
        });
      });
      for (const token of [pending.token, web.token]) {
        const res = await meters(api, bearer(token));
        expect(res.statusCode).toBe(401);
        await expect(api.verifier.verify(token)).rejects.toMatchObject({
          code: 'not_authorised',
        });
      }
      await expect(api.verifier.verify(web.token, { interface: 'web' })).resolves.toMatchObject({
        kind: 'pat',
        subject: web.id,
      });
    } finally {
      await api.close();
    }
  });

  it('enforces each route’s scope', async () => {
    const api = await energyApi(verifier());
    try {
      const token = await accessToken();
      // Cached by a request it may make, then refused where it may not.
      expect((await meters(api, bearer(token))).statusCode).toBe(200);
      const res = await api.app.inject({
        method: 'POST',
        url: '/meters/m-1001/readings',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        payload: { at: '2026-01-01T00:00:00Z', kwh: 1 },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('insufficient_scope');
      expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
      expect(res.headers['www-authenticate']).toContain('scope="readings:write"');
    } finally {
      await api.close();
    }
  });

  it('fails closed for PATs and API keys when the feed is out of reach, and as configured for access tokens', async () => {
    const proxy = await feedProxy(gk.url);
    const feed = { url: proxy.url, pollMs: 100, maxStalenessMs: 500 };
    const closed = await energyApi(verifier({ stateFeed: feed }));
    const open = await energyApi(
      verifier({ stateFeed: { ...feed, failOpen: true, failOpenMaxStalenessMs: 60_000 } }),
    );
    try {
      const access = await accessToken();
      const patToken = (await pat({ api: true, web: false })).token;
      const key = (await apiKey()).key;
      for (const api of [closed, open]) {
        for (const headers of [bearer(access), bearer(patToken), { 'x-api-key': key }]) {
          await eventually(async () => {
            expect((await meters(api, headers)).statusCode).toBe(200);
          });
        }
      }
      const staleEvents: string[] = [];
      closed.verifier.on('stale', () => staleEvents.push('closed'));
      open.verifier.on('stale', () => staleEvents.push('open'));
      proxy.set('error');
      await eventually(async () => {
        expect(closed.verifier.health().feed.state).toBe('stale');
        expect(open.verifier.health().feed.state).toBe('stale');
        // The event follows within a poll interval.
        expect(staleEvents.sort()).toEqual(['closed', 'open']);
      });
      expect(closed.verifier.health().ok).toBe(false);
      for (const api of [closed, open]) {
        for (const headers of [bearer(patToken), { 'x-api-key': key }]) {
          const res = await meters(api, headers);
          expect(res.statusCode).toBe(503);
          expect(res.json().error).toBe('temporarily_unavailable');
        }
      }
      expect((await meters(closed, bearer(access))).statusCode).toBe(503);
      expect((await meters(open, bearer(access))).statusCode).toBe(200);

      proxy.set('up');
      await eventually(async () => {
        expect(closed.verifier.health().feed.state).toBe('live');
      });
      expect((await meters(closed, bearer(patToken))).statusCode).toBe(200);
    } finally {
      await closed.close();
      await open.close();
      await proxy.close();
    }
  });

  it('answers in each error style exactly', async () => {
    // Signed by gridkey's own key, an hour ago, for five minutes.
    const { token } = issueAccessToken(gk.gk, {
      issuer: gk.url,
      subject: reader.id,
      clientId: reader.id,
      audience: gk.url,
      scopes: METER_SCOPES,
      ttlSeconds: 300,
      issuedAt: Math.floor(Date.now() / 1000) - 3600,
    });
    const styles = {
      rfc6750: await energyApi(verifier(), 'rfc6750'),
      edrv: await energyApi(verifier(), 'edrv'),
      jsonapi: await energyApi(verifier(), 'jsonapi'),
    };
    try {
      // seeds/edrv-token-request.txt, byte for byte.
      const edrv = await meters(styles.edrv, bearer(token));
      expect(edrv.statusCode).toBe(401);
      expect(edrv.body).toBe('{"ok":false,"message":"jwt expired","result":null}');
      const rfc = await meters(styles.rfc6750, bearer(token));
      expect(rfc.statusCode).toBe(401);
      expect(rfc.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
      expect(rfc.headers['cache-control']).toBe('no-store');
      expect(rfc.json()).toMatchObject({ error: 'invalid_token' });
      const jsonapi = await meters(styles.jsonapi, bearer(token));
      expect(jsonapi.statusCode).toBe(401);
      expect(jsonapi.headers['content-type']).toBe('application/vnd.api+json');
      expect(jsonapi.json()).toMatchObject({ errors: [{ status: '401', code: 'expired' }] });
      const none = await meters(styles.rfc6750, {});
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).not.toContain('error=');
    } finally {
      for (const api of Object.values(styles)) await api.close();
    }
  });
});
