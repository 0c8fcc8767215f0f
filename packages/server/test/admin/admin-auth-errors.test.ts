import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import { startTestServer, type TestServer } from '../../../../test/helpers/test-server.js';

/**
 * RFC 6750 §3 on the admin API: the exact answer to every way of sending no
 * token, a malformed one or a wrong one, given before the body is read; and
 * the admin page's own headers (issue 12, flaw 1 and point 9).
 */

const REQUIRED = {
  status: 401,
  challenge: 'Bearer realm="gridkey-admin"',
  body: {
    error: 'invalid_token',
    error_description: 'an admin token is required (Authorization: Bearer)',
  },
};
const MALFORMED = {
  status: 400,
  challenge:
    'Bearer realm="gridkey-admin", error="invalid_request", error_description="the Authorization header must be Bearer followed by one token"',
  body: {
    error: 'invalid_request',
    error_description: 'the Authorization header must be Bearer followed by one token',
  },
};
const UNKNOWN = {
  status: 401,
  challenge:
    'Bearer realm="gridkey-admin", error="invalid_token", error_description="unknown token"',
  body: { error: 'invalid_token', error_description: 'unknown token' },
};

/** Each Authorization header (undefined: none) and the answer RFC 6750 §3.1 gives it. */
const CASES: [string, string | undefined, typeof REQUIRED][] = [
  ['no Authorization header', undefined, REQUIRED],
  ['an empty Authorization header', '', REQUIRED],
  ['the Basic scheme', 'Basic YWRtaW46YWRtaW4=', REQUIRED],
  ['a scheme that only starts with Bearer', 'Bearertoken', REQUIRED],
  ['Bearer without a token', 'Bearer', MALFORMED],
  ['Bearer with two tokens', 'Bearer a b', MALFORMED],
  ['Bearer with a quote in the token', 'Bearer a"b', MALFORMED],
  // RFC 6750 §2.1: `"Bearer" 1*SP b64token`, so two spaces still carry a token.
  ['Bearer and two spaces before an unknown token', 'Bearer  garbage', UNKNOWN],
  ['an unknown token', 'Bearer garbage', UNKNOWN],
];

describe.each(storeTargets())('admin API authentication errors on $kind', (target) => {
  let server: TestServer;
  let admin: string;
  let patId: string;

  beforeAll(async () => {
    server = await startTestServer(target);
    admin = (await server.gk.pats.createAdminToken()).token;
    patId = (await server.gk.pats.create({ name: 'target', role: 'viewer' })).record.id;
  });
  afterAll(() => server.close());

  const send = async (
    method: string,
    path: string,
    authorization: string | undefined,
    body?: string,
  ) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(authorization === undefined ? {} : { authorization }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  };

  /** Three kinds of route: a list, a create with a body the schema refuses, an action on an id. */
  const routes = (): [string, string, string | undefined][] => [
    ['GET', '/admin/api/pats', undefined],
    ['POST', '/admin/api/pats', JSON.stringify({ role: 'emperor', extra: 1 })],
    ['POST', '/admin/api/pats', '{not json'],
    ['POST', `/admin/api/pats/${patId}/revoke`, undefined],
    ['POST', '/admin/api/users', JSON.stringify({ email: 'x' })],
  ];

  it.each(CASES)(
    'answers %s exactly, on every kind of route, before the body',
    async (_, authorization, expected) => {
      for (const [method, path, body] of routes()) {
        const res = await send(method, path, authorization, body);
        const where = `${method} ${path} ${body ?? ''}`;
        expect(res.status, where).toBe(expected.status);
        expect(res.headers.get('www-authenticate'), where).toBe(expected.challenge);
        expect(res.json, where).toEqual(expected.body);
        expect(res.headers.get('cache-control'), where).toBe('no-store');
        expect(res.headers.get('x-content-type-options'), where).toBe('nosniff');
        expect(res.headers.get('content-type'), where).toBe('application/json; charset=utf-8');
      }
      // Valid bodies are refused alike, and leave nothing behind.
      for (const [path, body] of [
        ['/admin/api/pats', { name: 'sneaky', role: 'admin' }],
        ['/admin/api/clients', { name: 'sneaky' }],
      ] as const) {
        const res = await send('POST', path, authorization, JSON.stringify(body));
        expect(res.status, path).toBe(expected.status);
        expect(res.json, path).toEqual(expected.body);
      }
      const pats = await server.gk.pats.list();
      expect(pats.map((p) => p.name).sort()).toEqual(['admin', 'target']);
      expect(pats.find((p) => p.id === patId)?.revokedAt).toBeNull();
      expect(await server.gk.clients.list()).toEqual([]);
      expect(await server.gk.audit.list({ limit: 10 })).toEqual([]);
    },
  );

  it('takes a valid admin token after two spaces (RFC 6750 §2.1: 1*SP), then validates the body', async () => {
    const session = await send('GET', '/admin/api/session', `Bearer  ${admin}`);
    expect(session.status).toBe(200);
    expect(session.headers.get('cache-control')).toBe('no-store');
    const bad = await send('POST', '/admin/api/pats', `Bearer  ${admin}`, '{"role":"emperor"}');
    expect(bad.status).toBe(400);
    expect(bad.json?.error).toBe('invalid_request');
    expect(bad.headers.get('www-authenticate')).toBeNull();
  });

  it('never repeats a submitted value in an error message', async () => {
    const auth = `Bearer ${admin}`;
    const marker = 'zq9marker';
    await send(
      'POST',
      '/admin/api/users',
      auth,
      JSON.stringify({ email: `${marker}@example.com`, password: 'long enough password' }),
    );
    const attempts: [string, string, string | undefined, number][] = [
      ['POST', '/admin/api/pats', JSON.stringify({ name: 'x', role: marker }), 400],
      [
        'POST',
        '/admin/api/pats',
        JSON.stringify({ name: 'x', role: 'viewer', scope: marker }),
        400,
      ],
      [
        'POST',
        '/admin/api/pats',
        JSON.stringify({ name: 'x', role: 'admin', scope: `"${marker}` }),
        400,
      ],
      ['POST', '/admin/api/clients', JSON.stringify({ name: 'x', scope: `${marker}\\` }), 400],
      ['POST', '/admin/api/clients', JSON.stringify({ name: 'x', grants: marker }), 400],
      ['POST', '/admin/api/clients', JSON.stringify({ name: 'x', audience: `"${marker}` }), 400],
      [
        'POST',
        '/admin/api/users',
        JSON.stringify({ email: `${marker}-no-at`, password: 'long enough password' }),
        400,
      ],
      [
        'POST',
        '/admin/api/users',
        JSON.stringify({ email: `${marker}@example.com`, password: 'long enough password' }),
        400,
      ],
      ['POST', `/admin/api/pats/${marker}/revoke`, undefined, 404],
      [
        'POST',
        `/admin/api/pats/${marker}/authorise`,
        JSON.stringify({ api: true, web: true }),
        404,
      ],
      ['POST', `/admin/api/login-tokens/${marker}/revoke`, undefined, 404],
      ['POST', '/admin/api/login-tokens/12345/revoke', undefined, 404],
      ['POST', `/admin/api/api-keys/${marker}/revoke`, undefined, 404],
      ['POST', `/admin/api/clients/${marker}/rotate-secret`, undefined, 404],
      ['DELETE', `/admin/api/clients/${marker}`, undefined, 404],
      ['POST', `/admin/api/users/${marker}/disable`, undefined, 404],
    ];
    for (const [method, path, body, status] of attempts) {
      const res = await send(method, path, auth, body);
      const where = `${method} ${path} ${body ?? ''}`;
      expect(res.status, where).toBe(status);
      expect(typeof res.json?.error_description, where).toBe('string');
      expect(JSON.stringify(res.json), where).not.toContain(marker);
      expect(JSON.stringify(res.json), where).not.toContain('12345');
    }
  });

  it('serves the admin page files with nosniff, a strict CSP and no referrer', async () => {
    const modules = readdirSync(new URL('../../admin-ui/js/', import.meta.url)).map(
      (f) => `js/${f}`,
    );
    expect(modules).toContain('js/main.js');
    for (const file of ['', 'index.html', 'app.css', 'favicon.svg', ...modules]) {
      const res = await fetch(`${server.url}/admin/${file}`);
      await res.arrayBuffer();
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-security-policy'), file).toBe(
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      expect(res.headers.get('x-content-type-options'), file).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), file).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), file).toBe('DENY');
      expect(res.headers.get('cache-control'), file).toBe('no-cache');
    }
  });
});
