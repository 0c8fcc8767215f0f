import { hostname, userInfo } from 'node:os';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  FakeClock,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

describe.each(storeTargets())('PATs and the admin API on $kind', (target) => {
  let server: TestServer;
  let admin: string;
  let rs: { id: string; secret: string };
  const clock = new FakeClock();

  beforeAll(async () => {
    server = await startTestServer(target, { clock });
    admin = (await server.gk.pats.createAdminToken()).token;
    rs = await server.client({ name: 'resource server', resourceServer: true });
  });
  afterAll(() => server.close());

  const api = async (
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    web = false,
  ) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(web ? { 'x-gridkey-interface': 'web' } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      // biome-ignore lint/suspicious/noExplicitAny: responses of many shapes, read field by field
      json: text ? (JSON.parse(text) as Record<string, any>) : undefined,
    };
  };
  const introspect = (token: string) =>
    postForm(
      `${server.url}/oauth2/introspect`,
      { token },
      { authorization: basic(rs.id, rs.secret) },
    );

  it('creates a PAT shown once as an RS256 JWT, pending until authorised', async () => {
    const created = await api('POST', '/admin/api/pats', admin, {
      name: 'meter app',
      role: 'viewer',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'meter app',
      role: 'viewer',
      status: 'pending',
      api: false,
      web: false,
      scope: 'read',
    });
    const token = created.json?.token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'pat+jwt' });
    expect(decodeJwt(token)).toMatchObject({
      sub: created.json?.id,
      role: 'viewer',
      scope: 'read',
    });
    const list = await api('GET', '/admin/api/pats', admin);
    expect(JSON.stringify(list.json)).not.toContain(token);
    expect((await introspect(token)).json).toEqual({ active: false });
  });

  it('enforces state on every request: pending, authorised per interface, shorter lifetime, revoked', async () => {
    const created = await api('POST', '/admin/api/pats', admin, { name: 'ops', role: 'admin' });
    const token = created.json?.token as string;
    const id = created.json?.id as string;
    const session = (web = false) => api('GET', '/admin/api/session', token, undefined, web);

    const pending = await session();
    expect(pending.status).toBe(401);
    expect(pending.json).toEqual({
      error: 'invalid_token',
      error_description: 'the token is pending',
    });
    expect(pending.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="gridkey-admin", error="invalid_token"/,
    );

    const soon = new Date(clock.now() + 3600_000).toISOString();
    const authorised = await api('POST', `/admin/api/pats/${id}/authorise`, admin, {
      api: true,
      web: false,
      expires: soon,
    });
    expect(authorised.json).toMatchObject({
      status: 'active',
      api: true,
      web: false,
      expires_at: soon.replace(/\.\d+Z$/, '.000Z'),
    });
    expect((await session()).status).toBe(200);
    expect((await introspect(token)).json).toMatchObject({
      active: true,
      token_type: 'pat',
      role: 'admin',
      name: 'ops',
    });
    const web = await session(true);
    expect(web.status).toBe(401);
    expect(web.json?.error_description).toBe('the token is not authorised for the web page');

    clock.advance(3600);
    expect((await session()).json?.error_description).toBe('the token is expired');
    clock.advance(-3600);

    const revoked = await api('POST', `/admin/api/pats/${id}/revoke`, admin);
    expect(revoked.json).toMatchObject({ status: 'revoked' });
    expect((await session()).json?.error_description).toBe('the token is revoked');
    expect((await introspect(token)).json).toEqual({ active: false });
    const feed = (await (await fetch(`${server.url}/revocations?after=0`)).json()) as {
      revocations: { jti: string }[];
    };
    expect(feed.revocations.map((r) => r.jti)).toContain(decodeJwt(token).jti);
    // A revoked PAT cannot be authorised again.
    expect(
      (await api('POST', `/admin/api/pats/${id}/authorise`, admin, { api: true, web: true }))
        .status,
    ).toBe(400);
  });

  it('answers 401 without a token, 403 for another role, 404 for unknown ids, 400 for bad bodies', async () => {
    expect((await api('GET', '/admin/api/pats', undefined)).status).toBe(401);
    expect((await api('GET', '/admin/api/pats', 'garbage')).status).toBe(401);
    const viewer = await api('POST', '/admin/api/pats', admin, { name: 'v', role: 'viewer' });
    await api('POST', `/admin/api/pats/${viewer.json?.id}/authorise`, admin, {
      api: true,
      web: true,
    });
    const forbidden = await api('GET', '/admin/api/pats', viewer.json?.token as string);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json?.error).toBe('insufficient_scope');
    expect((await api('POST', '/admin/api/pats/nope/revoke', admin)).status).toBe(404);
    for (const body of [
      {},
      { name: 'x' },
      { name: 'x', role: 'emperor' },
      { name: 'x', role: 'user', extra: 1 },
      { name: 'x', role: 'user', scope: 'admin' },
    ]) {
      const res = await api('POST', '/admin/api/pats', admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json?.error).toBe('invalid_request');
    }
    expect(
      (await api('POST', '/admin/api/pats/x/authorise', admin, { api: 'yes', web: false })).status,
    ).toBe(400);
  });

  it('manages clients, login tokens, API keys, users and keys, writing the audit log', async () => {
    const client = await api('POST', '/admin/api/clients', admin, { name: 'fleet', scope: 'a' });
    expect(client.status).toBe(201);
    expect(client.json?.resource_server).toBe(false);
    const rs = await api('POST', '/admin/api/clients', admin, {
      name: 'energy api',
      resource_server: true,
    });
    expect(rs.status).toBe(201);
    expect(rs.json?.resource_server).toBe(true);
    expect(
      (await api('POST', '/admin/api/clients', admin, { name: 'x', resource_server: 'yes' }))
        .status,
    ).toBe(400);
    const rotated = await api(
      'POST',
      `/admin/api/clients/${client.json?.client_id}/rotate-secret`,
      admin,
    );
    expect(rotated.json?.client_secret).not.toBe(client.json?.client_secret);
    const lt = await api('POST', '/admin/api/login-tokens', admin, {
      customer_uuid: '9796513c-e811-4b75-b2eb-b36b9f1a1b8c',
      scope: 'x',
    });
    expect(lt.json?.login_token).toMatch(/^[0-9a-f]{64}$/);
    expect(
      (await api('POST', `/admin/api/login-tokens/${lt.json?.id}/revoke`, admin)).json,
    ).toMatchObject({ revoked: true });
    const key = await api('POST', '/admin/api/api-keys', admin, { name: 'k' });
    expect(key.json?.key).toMatch(/^gk_/);
    expect(
      (await api('POST', `/admin/api/api-keys/${key.json?.id}/revoke`, admin)).json,
    ).toMatchObject({ revoked: true });
    const user = await api('POST', '/admin/api/users', admin, {
      email: 'ann@example.com',
      password: 'long enough password',
    });
    expect(
      (await api('POST', `/admin/api/users/${user.json?.id}/disable`, admin)).json,
    ).toMatchObject({ status: 'disabled' });
    expect((await api('POST', '/admin/api/keys/rotate', admin)).json?.created).toHaveLength(2);

    const audit = await api('GET', '/admin/api/audit?limit=50', admin);
    const actions = (
      audit.json as unknown as { action: string; actor: string; address: string }[]
    ).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'client.create',
        'client.rotate_secret',
        'login_token.create',
        'login_token.revoke',
        'api_key.create',
        'api_key.revoke',
        'user.create',
        'user.disable',
        'keys.rotate',
        'pat.create',
        'pat.authorise',
        'pat.revoke',
      ]),
    );
    const entry = (audit.json as unknown as { actor: string; address: string }[])[0];
    expect(entry?.actor).toMatch(/^pat:[0-9a-f-]{36} \(admin\)$/);
    expect(entry?.address).toBe('127.0.0.1');
    const text = JSON.stringify(audit.json);
    for (const secret of [
      client.json?.client_secret,
      rotated.json?.client_secret,
      lt.json?.login_token,
      key.json?.key,
      admin,
    ]) {
      expect(text).not.toContain(secret as string);
    }
  });

  it('lists the roles in the session and redirects /admin to the page', async () => {
    const session = await api('GET', '/admin/api/session', admin);
    expect(session.json).toMatchObject({
      pat: { role: 'admin' },
      roles: ['admin', 'user', 'viewer'],
    });
    const res = await fetch(`${server.url}/admin`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/admin/');
  });

  it('refuses a narrowed admin token: it could otherwise mint a full one', async () => {
    const narrowed = await server.gk.pats.create({
      name: 'read-only admin',
      role: 'admin',
      scopes: ['read'],
    });
    await server.gk.pats.authorise(narrowed.record.id, { api: true, web: true });
    const res = await api('POST', '/admin/api/pats', narrowed.token, {
      name: 'escalated',
      role: 'admin',
    });
    expect(res.status).toBe(403);
    expect(res.json?.error).toBe('insufficient_scope');
  });

  it('answers role names that are not roles with 400, never 500', async () => {
    for (const role of ['constructor', 'toString', '__proto__', 'Admin']) {
      const res = await api('POST', '/admin/api/pats', admin, { name: 'x', role, scope: 'a' });
      expect(res.status, role).toBe(400);
    }
    const cli = await runCli([
      'pat',
      'create',
      '--name',
      'x',
      '--role',
      'constructor',
      '--data-dir',
      server.dataDir,
      '--db',
      server.dbUrl,
    ]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^gridkey: --role names an unknown role "constructor"/);
  });

  it('keeps a shortened lifetime when re-authorising, and refuses to revive an expired PAT', async () => {
    const created = await server.gk.pats.create({ name: 'short', role: 'viewer' });
    const soon = Math.floor(clock.now() / 1000) + 600;
    await server.gk.pats.authorise(created.record.id, { api: true, web: false, until: soon });
    const again = await api('POST', `/admin/api/pats/${created.record.id}/authorise`, admin, {
      api: true,
      web: true,
    });
    expect(again.json).toMatchObject({
      api: true,
      web: true,
      expires_at: new Date(soon * 1000).toISOString(),
    });
    clock.advance(600);
    const revived = await api('POST', `/admin/api/pats/${created.record.id}/authorise`, admin, {
      api: true,
      web: true,
    });
    expect(revived.status).toBe(400);
    expect(revived.json?.error_description).toMatch(/has expired/);
    clock.advance(-600);
  });

  it('serves its OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/admin/api/openapi.json`)).json()) as {
      openapi: string;
      // biome-ignore lint/suspicious/noExplicitAny: a JSON document read path by path
      paths: Record<string, any>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(
      doc.paths['/admin/api/clients'].post.requestBody.content['application/json'].schema.properties
        .resource_server,
    ).toMatchObject({ type: 'boolean' });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/admin/api/pats',
        '/admin/api/pats/{id}/authorise',
        '/admin/api/pats/{id}/revoke',
        '/admin/api/audit',
      ]),
    );
  });

  it('runs the PAT lifecycle from the CLI, audited as cli:<user>@<host>', async () => {
    const where = ['--data-dir', server.dataDir, '--db', server.dbUrl];
    const created = await runCli([
      'pat',
      'create',
      '--name',
      'dev box',
      '--role',
      'user',
      '--scope',
      'read',
      '--json',
      ...where,
    ]);
    expect(created.stderr).toBe('');
    const out = created.json() as { id: string; token: string; status: string };
    expect(out.status).toBe('pending');
    const auth = await runCli(['pat', 'authorise', out.id, '--api', '--json', ...where]);
    expect(auth.json()).toMatchObject({ status: 'active', api: true, web: false });
    expect((await introspect(out.token)).json).toMatchObject({ active: true, scope: 'read' });
    // The use is recorded after the answer (off the request path): wait for it.
    await vi.waitFor(
      async () => {
        const list = await runCli(['pat', 'list', '--json', ...where]);
        expect(list.stdout).not.toContain(out.token);
        const listed = (list.json() as { id: string; last_used_at: string | null }[]).find(
          (p) => p.id === out.id,
        );
        expect(listed?.last_used_at).not.toBeNull();
      },
      { timeout: 10_000, interval: 200 },
    );
    expect((await runCli(['pat', 'revoke', out.id, '--json', ...where])).json()).toMatchObject({
      status: 'revoked',
    });
    expect((await introspect(out.token)).json).toEqual({ active: false });
    const bad = await runCli(['pat', 'authorise', out.id, '--json', ...where]);
    expect(bad.code).toBe(1);
    const audit = await server.gk.audit.list({ limit: 10 });
    const cliActor = `cli:${userInfo().username}@${hostname()}`;
    expect(audit.filter((e) => e.actor === cliActor).map((e) => e.action)).toEqual(
      expect.arrayContaining(['pat.create', 'pat.authorise', 'pat.revoke']),
    );
    const token = await runCli(['admin-token', 'create', '--json', ...where]);
    expect(
      (await api('GET', '/admin/api/session', (token.json() as { token: string }).token)).status,
    ).toBe(200);
  });
});
