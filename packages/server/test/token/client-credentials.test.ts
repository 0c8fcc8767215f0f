import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

describe.each(storeTargets())('client_credentials on $kind', (target) => {
  let server: TestServer;
  let basicClient: { id: string; secret: string };
  let postClient: { id: string; secret: string };
  let tokenUrl: string;

  beforeAll(async () => {
    server = await startTestServer(target);
    tokenUrl = `${server.url}/oauth2/token`;
    basicClient = await server.client({
      name: 'meter reader',
      scopes: ['meters:read', 'readings:read'],
      audiences: ['https://api.example.test', 'https://other.example.test'],
    });
    postClient = await server.client({
      name: 'poster',
      scopes: ['readings:read'],
      authMethod: 'client_secret_post',
      accessTokenTtlSeconds: 600,
    });
  });
  afterAll(() => server.close());

  it('issues an RFC 9068 JWT with client_secret_basic', async () => {
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials' },
      {
        authorization: basic(basicClient.id, basicClient.secret),
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.json).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'meters:read readings:read',
    });
    const token = res.json.access_token as string;
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(typeof header.kid).toBe('string');
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: server.url,
      audience: 'https://api.example.test',
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: basicClient.id,
      client_id: basicClient.id,
      scope: 'meters:read readings:read',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('form-decodes Basic credentials (RFC 6749 §2.3.1), percent escapes and all', async () => {
    // Every character of id and secret percent-encoded: only decoding finds the client.
    const percentEncodeAll = (s: string) =>
      [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    const header = `Basic ${Buffer.from(`${percentEncodeAll(basicClient.id)}:${percentEncodeAll(basicClient.secret)}`).toString('base64')}`;
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials' },
      { authorization: header },
    );
    expect(res.status).toBe(200);
  });

  it('serves the same endpoint at /oauth/token and /v2/token', async () => {
    for (const path of ['/oauth/token', '/v2/token']) {
      const res = await postForm(
        `${server.url}${path}`,
        { grant_type: 'client_credentials' },
        {
          authorization: basic(basicClient.id, basicClient.secret),
        },
      );
      expect(res.status).toBe(200);
      expect(typeof res.json.access_token).toBe('string');
    }
  });

  it('authenticates client_secret_post clients from the form, with their own lifetime', async () => {
    const res = await postForm(tokenUrl, {
      grant_type: 'client_credentials',
      client_id: postClient.id,
      client_secret: postClient.secret,
    });
    expect(res.status).toBe(200);
    expect(res.json.expires_in).toBe(600);
    expect(res.json.scope).toBe('readings:read');
  });

  it('narrows scope to a requested subset and refuses more', async () => {
    const auth = { authorization: basic(basicClient.id, basicClient.secret) };
    const narrow = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials', scope: 'readings:read' },
      auth,
    );
    expect(narrow.status).toBe(200);
    expect(narrow.json.scope).toBe('readings:read');
    const wide = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials', scope: 'readings:read admin' },
      auth,
    );
    expect(wide.status).toBe(400);
    expect(wide.json).toEqual({
      error: 'invalid_scope',
      error_description: 'the requested scope exceeds what this client may have',
    });
  });

  it('puts a registered audience in aud and refuses an unregistered one', async () => {
    const auth = { authorization: basic(basicClient.id, basicClient.secret) };
    const ok = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials', audience: 'https://other.example.test' },
      auth,
    );
    expect(ok.status).toBe(200);
    const payload = decodeJwt(ok.json.access_token as string);
    expect(payload.aud).toBe('https://other.example.test');
    const bad = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials', audience: 'https://evil.test' },
      auth,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('invalid_target');
  });

  it('uses the issuer as audience for a client with none registered', async () => {
    const res = await postForm(tokenUrl, {
      grant_type: 'client_credentials',
      client_id: postClient.id,
      client_secret: postClient.secret,
    });
    const payload = decodeJwt(res.json.access_token as string);
    expect(payload.aud).toBe(server.url);
  });
});
