import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  clientCredentials,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import { type AdminRouteSpec, adminRoutes } from '../../src/admin/admin-context.js';

/**
 * Every admin route's answer matches the response schema it publishes in the
 * OpenAPI document. The schemas are closed objects, and Fastify does not
 * serialise with them (admin-context.ts says why), so this test is what
 * keeps them true: a field an operation returns that its schema does not
 * name, a missing one, or one of another type fails here, with the route.
 */

FormatRegistry.Set('date-time', (v) => /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v)));

const CUSTOMER = '9796513c-e811-4b75-b2eb-b36b9f1a1b8c';
const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

describe.each(storeTargets())('admin API answers on $kind', (target) => {
  let server: TestServer;
  let admin: string;
  let specs: Map<string, AdminRouteSpec>;
  const checked = new Set<string>();

  beforeAll(async () => {
    server = await startTestServer(target);
    admin = (await server.gk.pats.createAdminToken()).token;
    specs = new Map(adminRoutes(server.app).map((r) => [key(r), r]));
  });
  afterAll(() => server.close());

  /** Calls the route (`url` in Fastify's form, `:id` filled from `ids`) and checks its answer. */
  async function call(
    method: string,
    url: string,
    options: { id?: string; query?: string; body?: unknown } = {},
  ) {
    const spec = specs.get(key({ method, url }));
    if (spec === undefined) throw new Error(`${method} ${url} is not an admin route`);
    const res = await server.app.inject({
      method: method as 'GET',
      url: `${url.replace(/:\w+/, options.id ?? '')}${options.query ?? ''}`,
      headers: { authorization: `Bearer ${admin}` },
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    const body = res.json();
    const statuses = Object.keys(spec.schema.response).map(Number);
    expect(statuses, `${method} ${url}: ${res.body}`).toContain(res.statusCode);
    const schema = (spec.schema.response as Record<number, TSchema>)[res.statusCode];
    if (schema === undefined) throw new Error(`${method} ${url}: no schema for ${res.statusCode}`);
    const error = Value.Errors(schema, body).First();
    expect(
      error === undefined ? undefined : `${error.path || '/'}: ${error.message}`,
      `${method} ${url} answered ${res.body}`,
    ).toBeUndefined();
    checked.add(key({ method, url }));
    return body;
  }

  it('every answer of every admin route is what its response schema says', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    await call('GET', '/admin/api/session');

    const pat = await call('POST', '/admin/api/pats', {
      body: { name: 'dev box', role: 'user', scope: 'read', expires: future },
    });
    await call('POST', '/admin/api/pats/:id/authorise', { id: pat.id, body: { api: true } });
    await call('GET', '/admin/api/pats');
    await call('POST', '/admin/api/pats/:id/revoke', { id: pat.id });

    const client = await call('POST', '/admin/api/clients', {
      body: { name: 'meter', scope: 'read', token_budget: 10, ttl: 300, resource_server: true },
    });
    await call('POST', '/admin/api/clients', { body: { name: 'plain' } });
    await call('GET', '/admin/api/clients');
    await call('GET', '/admin/api/clients/:id', { id: client.client_id });
    await call('PATCH', '/admin/api/clients/:id', {
      id: client.client_id,
      body: { deprecated: true, sunset: future },
    });
    await call('POST', '/admin/api/clients/:id/rotate-secret', { id: client.client_id });
    await call('POST', '/admin/api/clients/:id/revoke-tokens', { id: client.client_id });
    await call('DELETE', '/admin/api/clients/:id', { id: client.client_id });

    const user = await call('POST', '/admin/api/users', {
      body: { email: 'jane@example.com', password: 'correct horse battery' },
    });
    await call('POST', '/admin/api/users/:id/revoke-tokens', { id: user.id });
    await call('POST', '/admin/api/users/:id/set-password', {
      id: user.id,
      body: { password: 'another horse battery' },
    });
    await call('POST', '/admin/api/users/:id/disable', { id: user.id });
    await call('GET', '/admin/api/users');
    await call('DELETE', '/admin/api/users/:id', { id: user.id });

    await call('POST', '/admin/api/tokens/:jti/revoke', { id: 'a-jti-seen-in-a-log' });

    const login = await call('POST', '/admin/api/login-tokens', {
      body: { customer_uuid: CUSTOMER, scope: 'meter:read', expires: future },
    });
    await call('GET', '/admin/api/login-tokens');
    await call('GET', '/admin/api/login-tokens', { query: `?customer_uuid=${CUSTOMER}` });
    await call('POST', '/admin/api/login-tokens/:id/revoke', { id: String(login.id) });
    const again = await call('POST', '/admin/api/login-tokens/:id/revoke', {
      id: String(login.id),
    });
    expect(again.already_revoked).toBe(true);

    const apiKey = await call('POST', '/admin/api/api-keys', {
      body: { name: 'exporter', scope: 'read', expires: future },
    });
    await call('GET', '/admin/api/api-keys');
    await call('POST', '/admin/api/api-keys/:id/revoke', { id: apiKey.id });
    await call('POST', '/admin/api/api-keys/:id/revoke', { id: apiKey.id });

    await call('GET', '/admin/api/keys');
    await call('POST', '/admin/api/keys/rotate');
    await call('GET', '/admin/api/keys');

    const audit = await call('GET', '/admin/api/audit', { query: '?limit=1000' });
    expect(audit.length).toBeGreaterThan(10);
    // The search: every condition holds; the text matches any part, ignoring case.
    const hour = (ms: number) => encodeURIComponent(new Date(Date.now() + ms).toISOString());
    const found = await call('GET', '/admin/api/audit', {
      query: `?actor=ADMIN&action=PAT.&target=${pat.id}&since=${hour(-3_600_000)}&until=${hour(3_600_000)}`,
    });
    expect(found.map((e: { action: string }) => e.action)).toEqual([
      'pat.revoke',
      'pat.authorise',
      'pat.create',
    ]);
    expect(await call('GET', '/admin/api/audit', { query: `?until=${hour(-3_600_000)}` })).toEqual(
      [],
    );
    const refused = await server.app.inject({
      method: 'GET',
      url: '/admin/api/audit?since=yesterday',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(refused.statusCode).toBe(400);
    // A refused attempt is audited too, and found by its outcome.
    const unknown = await server.app.inject({
      method: 'POST',
      url: '/admin/api/pats/no-such-pat/revoke',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(unknown.statusCode).toBe(404);
    const refusals = await call('GET', '/admin/api/audit', { query: '?outcome=refused' });
    expect(refusals).toMatchObject([
      {
        action: 'pat.revoke',
        target: 'no-such-pat',
        outcome: 'refused',
        detail: { error: 'not_found' },
      },
    ]);
    const oks = await call('GET', '/admin/api/audit', { query: '?outcome=ok&limit=1000' });
    expect(oks.length).toBe(audit.length);

    // Usage: a token issued and refused, and the admin PAT's uses above, written now.
    const meter = await server.client();
    expect((await clientCredentials(server, meter)).status).toBe(200);
    expect((await clientCredentials(server, { ...meter, secret: 'wrong' })).status).toBe(401);
    await server.app.usage?.flush();
    const usage = await call('GET', '/admin/api/usage', { query: '?granularity=minute' });
    // The admin PAT's uses may fall into two minutes: the kinds, not the buckets.
    const kinds = new Set(usage.buckets.map((b: { kind: string }) => b.kind));
    expect([...kinds].sort()).toEqual(['client', 'pat']);
    const top = await call('GET', '/admin/api/usage/top-clients', {
      query: '?granularity=day',
    });
    expect(top.clients).toHaveLength(1);

    // A route added later without a case here fails, rather than going unchecked.
    expect([...checked].sort()).toEqual([...specs.keys()].sort());
  });

  it('the OpenAPI document lists exactly the registered admin routes, each with a summary and its answer', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/admin/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      // biome-ignore lint/suspicious/noExplicitAny: a JSON document read path by path
      paths: Record<string, Record<string, any>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        route: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        op,
      })),
    );
    expect(documented.map((d) => d.route).sort()).toEqual([...specs.keys()].sort());
    expect(documented.length).toBeGreaterThanOrEqual(26);
    for (const { route, op } of documented) {
      expect(op.summary, route).toMatch(/\S/);
      const success = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(success, route).toHaveLength(1);
      const schema = op.responses[success[0] as string].content['application/json'].schema;
      expect(['object', 'array'], route).toContain(schema?.type);
      expect(Object.keys(op.responses), route).toEqual(
        expect.arrayContaining(['400', '401', '403', '404']),
      );
    }
  });
});
