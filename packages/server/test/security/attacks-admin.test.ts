import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER } from '../../../../test/helpers/json-api.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  FakeClock,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import {
  expectNoLeak,
  expectUnchanged,
  GENEROUS_LIMITS,
  send,
  snapshot,
} from './attack-helpers.js';

/**
 * Authorisation of EVERY admin route (OWASP ASVS 5 V8.2, RFC 6750 §3.1):
 * the routes are read from the running app, so a route added later is
 * covered without touching this file. Each credential that is not an
 * active, authorised, full-scope admin PAT is refused, and nothing changes.
 */

/** Every [method, path] of the router, from `printRoutes()`'s tree. */
function routesOf(tree: string): [string, string][] {
  const out: [string, string][] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (m === null) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    const path = `${stack.join('')}${m[2]}`;
    stack.push(m[2] ?? '');
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) out.push([method, path]);
  }
  return out;
}

/** The admin API's routes: everything under /admin/api/ but its public OpenAPI document. */
const adminRoutesOf = (tree: string) =>
  routesOf(tree).filter(([, p]) => p.startsWith('/admin/api/') && p !== '/admin/api/openapi.json');

interface Credential {
  name: string;
  headers: () => Record<string, string>;
  status: number;
  error: string;
}

describe.each(storeTargets())('admin API authorisation on $kind', (target) => {
  const clock = new FakeClock();
  let server: TestServer;
  let admin: string;
  let credentials: Credential[];
  let ids: Record<string, string>;
  let secrets: string[];

  beforeAll(async () => {
    server = await startTestServer(target, { clock, config: GENEROUS_LIMITS });
    const gk = server.gk;
    admin = (await gk.pats.createAdminToken()).token;
    const client = await server.client({ name: 'victim', scopes: ['read'] });
    const cc = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(client.id, client.secret) },
    );
    const accessToken = cc.json.access_token as string;
    const user = await gk.users.create('victim@example.com', 'a long enough password');
    const login = await gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: ['read'] });
    const apiKey = await gk.apiKeys.create({ name: 'victim', scopes: ['read'] });
    const pat = async (
      role: string,
      options: { scopes?: string[]; api?: boolean; web?: boolean; ttl?: number } = {},
    ) => {
      const created = await gk.pats.create({
        name: `${role} pat`,
        role,
        ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
        ...(options.ttl === undefined
          ? {}
          : { expiresAt: Math.floor(clock.now() / 1000) + options.ttl }),
      });
      if (options.api !== false || options.web === true) {
        await gk.pats.authorise(created.record.id, {
          api: options.api !== false,
          web: options.web === true,
        });
      }
      return created;
    };
    const victimPat = await pat('viewer');
    const userPat = await pat('user');
    const narrowAdmin = await pat('admin', { scopes: ['read'] });
    const pendingAdmin = await pat('admin', { api: false });
    const webOnlyAdmin = await pat('admin', { api: false, web: true });
    const revokedAdmin = await pat('admin');
    await gk.pats.revoke(revokedAdmin.record.id);
    const expiredAdmin = await pat('admin', { ttl: 60 });
    const apiOnlyAdmin = await pat('admin');
    clock.advance(120);

    ids = {
      pats: victimPat.record.id,
      clients: client.id,
      users: user.id,
      'login-tokens': String(login.record.id),
      'api-keys': apiKey.record.id,
      tokens: decodeJwt(accessToken).jti as string,
    };
    secrets = [
      admin,
      client.secret,
      accessToken,
      login.token,
      apiKey.key,
      userPat.token,
      narrowAdmin.token,
      apiOnlyAdmin.token,
    ];
    const bearer = (token: string) => () => ({ authorization: `Bearer ${token}` });
    const invalid = { status: 401, error: 'invalid_token' };
    const insufficient = { status: 403, error: 'insufficient_scope' };
    credentials = [
      { name: 'no token', headers: () => ({}), ...invalid },
      {
        name: 'Basic client credentials',
        headers: () => ({ authorization: basic(client.id, client.secret) }),
        ...invalid,
      },
      {
        name: 'a PAT with role user (scope not *)',
        headers: bearer(userPat.token),
        ...insufficient,
      },
      { name: 'a PAT with role viewer', headers: bearer(victimPat.token), ...insufficient },
      {
        name: 'an admin PAT narrowed to scope read',
        headers: bearer(narrowAdmin.token),
        ...insufficient,
      },
      { name: 'a client_credentials access token', headers: bearer(accessToken), ...invalid },
      { name: 'an expired admin PAT', headers: bearer(expiredAdmin.token), ...invalid },
      { name: 'a revoked admin PAT', headers: bearer(revokedAdmin.token), ...invalid },
      {
        name: 'a pending (never authorised) admin PAT',
        headers: bearer(pendingAdmin.token),
        ...invalid,
      },
      {
        name: 'an admin PAT authorised for the web page only, on the API',
        headers: bearer(webOnlyAdmin.token),
        ...invalid,
      },
      {
        name: 'an API-only admin PAT claiming to be the web page',
        headers: () => ({
          authorization: `Bearer ${apiOnlyAdmin.token}`,
          'x-gridkey-interface': 'web',
        }),
        ...invalid,
      },
      { name: 'an API key', headers: bearer(apiKey.key), ...invalid },
      { name: 'a login token', headers: bearer(login.token), ...invalid },
    ];
  });
  afterAll(() => server.close());

  /** A body each route would accept from an admin: a refusal is the token's doing, not the body's. */
  const bodyFor = (method: string, path: string): string | undefined => {
    if (method !== 'POST') return undefined;
    const bodies: Record<string, unknown> = {
      '/admin/api/pats': { name: 'evil', role: 'admin' },
      '/admin/api/clients': { name: 'evil', scope: '*', resource_server: true },
      '/admin/api/users': { email: 'evil@example.com', password: 'a long enough password' },
      '/admin/api/login-tokens': { customer_uuid: CUSTOMER, scope: '*' },
      '/admin/api/api-keys': { name: 'evil', scope: '*' },
      '/admin/api/pats/:id/authorise': { api: true, web: true },
    };
    return JSON.stringify(bodies[path] ?? {});
  };
  /** The path with real ids, so that a request let through would act on something. */
  const concrete = (path: string) =>
    path
      .replace(
        /\/([a-z-]+)\/:id\b/,
        (_m, resource: string) => `/${resource}/${ids[resource] ?? ids.clients}`,
      )
      .replace(':jti', ids.tokens ?? 'x');

  it('finds every admin route, and the OpenAPI document lists exactly them', async () => {
    const routes = adminRoutesOf(server.app.printRoutes({ commonPrefix: false }));
    const ops = routes.filter(([m]) => m !== 'HEAD').map(([m, p]) => `${m} ${p}`);
    expect(ops.length).toBeGreaterThanOrEqual(20);
    const doc = (await send(`${server.url}/admin/api/openapi.json`, { method: 'GET' })).json as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect([...ops].sort()).toEqual([...documented].sort());
  });

  it('the real admin token works (so the refusals below are the tokens’ doing)', async () => {
    const res = await send(`${server.url}/admin/api/session`, {
      method: 'GET',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
  });

  it('refuses every other credential on every admin route, and nothing changes', async () => {
    const routes = adminRoutesOf(server.app.printRoutes({ commonPrefix: false }));
    for (const credential of credentials) {
      const before = await snapshot(server);
      for (const [method, path] of routes) {
        const body = bodyFor(method, path);
        const res = await send(
          `${server.url}${concrete(path)}${path === '/admin/api/audit' ? '?limit=1000' : ''}`,
          {
            method,
            headers: {
              ...credential.headers(),
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(body === undefined ? {} : { body }),
          },
        );
        const what = `${credential.name}: ${method} ${path}`;
        expect(res.status, what).toBe(credential.status);
        expect(res.headers.get('www-authenticate'), what).toMatch(/^Bearer realm="gridkey-admin"/);
        expect(res.headers.get('cache-control'), what).toBe('no-store');
        if (method !== 'HEAD') {
          expect(res.json?.error, what).toBe(credential.error);
          expect(Object.keys(res.json ?? {}).sort(), what).toEqual(['error', 'error_description']);
          expectNoLeak(res.text, secrets, what);
        }
      }
      await expectUnchanged(server, before, credential.name);
    }
    expectNoLeak(server.logs(), secrets, 'logs');
  });

  it('refuses a bad admin token before reading a malformed or oversized body', async () => {
    const before = await snapshot(server);
    for (const body of ['{"name":', `{"name": "${'x'.repeat(60_000)}", "role": "admin"}`, '[]']) {
      const res = await send(`${server.url}/admin/api/pats`, {
        headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(401);
      expect(res.json?.error).toBe('invalid_token');
    }
    await expectUnchanged(server, before);
  });
});
