import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

/**
 * What fuzz.test.ts found: inputs PostgreSQL cannot take (U+0000 in text,
 * integers past a bigint) answered 500, and the router's own refusals of a
 * path parameter answered in Fastify's format, repeating the path.
 */
describe.each(storeTargets())('inputs found by fuzzing on $kind', (target) => {
  let server: TestServer;
  let admin: string;
  let client: { id: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(target);
    admin = (await server.gk.pats.createAdminToken()).token;
    client = await server.client();
  });
  afterAll(() => server.close());

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  it('answers a client_id holding U+0000 like an unknown client', async () => {
    const cc = { grant_type: 'client_credentials' };
    const form = await postForm(`${server.url}/oauth2/token`, {
      ...cc,
      client_id: 'a\u0000',
      client_secret: 'x',
    });
    expect(form.status).toBe(401);
    expect(form.json).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
    for (const path of ['/oauth2/token', '/oauth2/introspect', '/oauth2/revoke']) {
      const res = await postForm(
        `${server.url}${path}`,
        { ...cc, token: 'x' },
        { authorization: basic(`${client.id}\u0000`, client.secret) },
      );
      expect(res.status, path).toBe(401);
      expect(res.json.error, path).toBe('invalid_client');
      expect(res.headers.get('www-authenticate'), path).toBe('Basic realm="gridkey"');
    }
  });

  it('refuses an admin id holding U+0000 with 400, and changes nothing', async () => {
    const before = await api('GET', '/admin/api/audit');
    for (const [method, path] of [
      ['POST', '/admin/api/pats/%00/revoke'],
      ['POST', '/admin/api/clients/a%00b/rotate-secret'],
      ['POST', '/admin/api/clients/%00/revoke-tokens'],
      ['DELETE', '/admin/api/clients/%00'],
      ['POST', '/admin/api/users/%00/disable'],
      ['POST', '/admin/api/users/%00/revoke-tokens'],
      ['POST', '/admin/api/api-keys/%00/revoke'],
    ] as const) {
      const res = await api(method, path);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.text).error, path).toBe('invalid_request');
    }
    const authorise = await api('POST', '/admin/api/pats/%00/authorise', { api: true, web: false });
    expect(authorise.status).toBe(400);
    expect((await api('GET', '/admin/api/audit')).text).toBe(before.text);
  });

  it('refuses an audit cursor past the largest exact integer with 400', async () => {
    for (const before of ['99999999999999999999', String(Number.MAX_SAFE_INTEGER + 1)]) {
      const res = await api('GET', `/admin/api/audit?before=${before}`);
      expect(res.status, before).toBe(400);
      expect(JSON.parse(res.text).error).toBe('invalid_request');
    }
    expect((await api('GET', `/admin/api/audit?before=${Number.MAX_SAFE_INTEGER}`)).status).toBe(
      200,
    );
  });

  it('answers a path parameter the router refuses like an unknown path, without repeating it', async () => {
    for (const [method, path] of [
      ['DELETE', '/admin/api/clients/%C3%28'],
      ['POST', '/admin/api/pats/%ED%A0%80/revoke'],
      ['POST', `/admin/api/pats/${'x'.repeat(101)}/revoke`],
    ] as const) {
      const res = await api(method, path);
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.text), path).toEqual({
        error: 'not_found',
        error_description: 'no such path',
      });
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });
});
