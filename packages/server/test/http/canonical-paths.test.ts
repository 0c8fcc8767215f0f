import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, exchangeBody, JSON_API } from '../../../../test/helpers/json-api.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import { basic, startTestServer, type TestServer } from '../../../../test/helpers/test-server.js';

interface RawResponse {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** One request with the exact request-target given (fetch would normalise it). */
function raw(
  server: TestServer,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path: target, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          body: text,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `%xx` (lower- or upper-case hex) for one character. */
const encode = (c: string, upper = false) => {
  const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? hex.toUpperCase() : hex}`;
};

/** Every other spelling of a canonical path that a lenient router might still match. */
function nonCanonical(path: string, origin: string): string[] {
  const first = path[1] as string;
  const last = path.at(-1) as string;
  const inner = path.indexOf('/', 1);
  return [
    `/${path}`,
    `//${path}`,
    `/${path}?x=1`,
    ...(inner === -1 ? [] : [`${path.slice(0, inner)}/${path.slice(inner)}`]),
    `/${encode(first)}${path.slice(2)}`,
    `/${encode(first, true)}${path.slice(2)}`,
    `${path.slice(0, -1)}${encode(last)}`,
    `${path}/`,
    `${path}//`,
    `/.${path}`,
    `/%2e${path}`,
    `/x/..${path}`,
    `/x/%2E%2E${path}`,
    `${path}/.`,
    `${path}#x`,
    `${origin}${path}`,
  ];
}

describe('canonical paths only', () => {
  const target = storeTargets()[0];
  if (target === undefined) throw new Error('no store target');
  let server: TestServer;
  let client: { id: string; secret: string };
  let adminToken: string;
  let loginToken: string;
  let unknown: RawResponse;

  beforeAll(async () => {
    server = await startTestServer(target, { config: { profiles: ['enectiva'] } });
    client = await server.client();
    adminToken = (await server.gk.pats.createAdminToken()).token;
    loginToken = (
      await server.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: ['meters'] })
    ).token;
    // What every other spelling must get: exactly the answer to an unknown path.
    unknown = await raw(server, 'GET', '/no-such-path');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ error: 'not_found' });
  });
  afterAll(() => server.close());

  const tokenForm = 'grant_type=client_credentials';
  const cases: {
    path: string;
    method: string;
    status: number;
    headers?: () => Record<string, string>;
    body?: string;
  }[] = [
    { path: '/metrics', method: 'GET', status: 200 },
    { path: '/revocations', method: 'GET', status: 200 },
    {
      path: '/oauth2/token',
      method: 'POST',
      status: 200,
      headers: () => ({
        authorization: basic(client.id, client.secret),
        'content-type': 'application/x-www-form-urlencoded',
      }),
      body: tokenForm,
    },
    { path: '/.well-known/jwks.json', method: 'GET', status: 200 },
    {
      path: '/admin/api/pats',
      method: 'GET',
      status: 200,
      headers: () => ({ authorization: `Bearer ${adminToken}` }),
    },
  ];

  it.each(cases)('serves $method $path at that spelling only', async (c) => {
    const headers = c.headers?.() ?? {};
    const served = await raw(server, c.method, c.path, headers, c.body);
    expect(served.status).toBe(c.status);
    for (const spelling of nonCanonical(c.path, server.url)) {
      const res = await raw(server, c.method, spelling, headers, c.body);
      expect({ spelling, status: res.status, body: res.body }).toEqual({
        spelling,
        status: 404,
        body: unknown.body,
      });
      expect(res.contentType).toBe(unknown.contentType);
    }
  });

  it('serves the exchange at /access_tokens and at the seed’s //access_tokens only', async () => {
    const headers = { accept: JSON_API, 'content-type': JSON_API };
    const body = exchangeBody(CUSTOMER, loginToken);
    for (const path of ['/access_tokens', '//access_tokens']) {
      const res = await raw(server, 'POST', path, headers, body);
      expect({ path, status: res.status }).toEqual({ path, status: 201 });
      expect(JSON.parse(res.body).data.type).toBe('access_tokens');
    }
    for (const spelling of [
      '///access_tokens',
      '//access_tokens/',
      '/access_tokens/',
      '/%61ccess_tokens',
      '//%61ccess_tokens',
      '/access%5Ftokens',
      '/./access_tokens',
      '//./access_tokens',
    ]) {
      const res = await raw(server, 'POST', spelling, headers, body);
      expect({ spelling, status: res.status, body: res.body }).toEqual({
        spelling,
        status: 404,
        body: unknown.body,
      });
    }
  });
});
