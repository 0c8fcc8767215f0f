import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

const PASSWORD = 'correct horse battery';

describe.each(storeTargets())('password grant on $kind', (target) => {
  let server: TestServer;
  let app: { id: string; secret: string };
  let ccOnly: { id: string; secret: string };
  let userId: string;

  beforeAll(async () => {
    server = await startTestServer(target, {
      config: {
        profiles: ['net2grid'],
        passwordScryptLogN: 10,
        passwordFailuresPerUsername: 1000,
        passwordFailuresPerAddress: 1000,
      },
    });
    app = await server.client({
      name: 'app',
      scopes: ['meters:read', 'insights'],
      grantTypes: ['password', 'refresh_token'],
      authMethod: 'client_secret_post',
    });
    ccOnly = await server.client({ name: 'cc', authMethod: 'client_secret_post' });
    userId = (await server.gk.users.create('Jane.Doe@Example.com', PASSWORD)).id;
    await server.gk.users.create('disabled@example.com', PASSWORD);
    await server.gk.users.disable('disabled@example.com');
  });
  afterAll(() => server.close());

  const login = (form: Record<string, string>, path = '/v2/token') =>
    postForm(`${server.url}${path}`, {
      client_id: app.id,
      client_secret: app.secret,
      grant_type: 'password',
      ...form,
    });

  it('answers the seed’s password request at /v2/token exactly as documented', async () => {
    const res = await login({ username: 'jane.doe@example.com', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(res.json)).toEqual([
      'access_token',
      'refresh_token',
      'id_token',
      'expires_in',
      'token_type',
      'scope',
    ]);
    expect(res.json).toMatchObject({
      expires_in: 3600,
      token_type: 'Bearer',
      scope: ['meters:read', 'insights'],
    });
    expect(res.json.refresh_token).toMatch(/^gkr_[A-Za-z0-9_-]{43}$/);

    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const access = await jwtVerify(res.json.access_token as string, jwks, {
      typ: 'at+jwt',
      issuer: server.url,
    });
    expect(access.payload).toMatchObject({
      sub: userId,
      client_id: app.id,
      scope: 'meters:read insights',
    });
    const id = await jwtVerify(res.json.id_token as string, jwks, {
      issuer: server.url,
      audience: app.id,
    });
    expect(id.payload).toMatchObject({ sub: userId, email: 'jane.doe@example.com' });
    expect(id.payload.auth_time).toBe(id.payload.iat);
    expect((id.payload.exp ?? 0) - (id.payload.iat ?? 0)).toBe(3600);
  });

  it('answers scope as a space-separated string on the standard paths, and takes Basic auth', async () => {
    const basicApp = await server.client({
      name: 'basic app',
      scopes: ['a', 'b'],
      grantTypes: ['password'],
    });
    const res = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'password', username: 'jane.doe@example.com', password: PASSWORD, scope: 'b' },
      { authorization: basic(basicApp.id, basicApp.secret) },
    );
    expect(res.status).toBe(200);
    expect(res.json.scope).toBe('b');
    expect(decodeJwt(res.json.access_token as string).scope).toBe('b');
  });

  it('answers a wrong password, an unknown user and a disabled user identically', async () => {
    const answers = await Promise.all([
      login({ username: 'jane.doe@example.com', password: 'wrong password' }),
      login({ username: 'nobody@example.com', password: PASSWORD }),
      login({ username: 'disabled@example.com', password: PASSWORD }),
      login({ username: 'not an email', password: PASSWORD }),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.json).toEqual({
        error: 'invalid_grant',
        error_description: 'the username or password is wrong',
      });
    }
  });

  it('refuses the grant to clients not registered for it', async () => {
    const res = await postForm(`${server.url}/v2/token`, {
      client_id: ccOnly.id,
      client_secret: ccOnly.secret,
      grant_type: 'password',
      username: 'jane.doe@example.com',
      password: PASSWORD,
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('unauthorized_client');
  });

  it('answers missing credentials with invalid_request and an oversized password before hashing', async () => {
    expect((await login({ username: 'jane.doe@example.com' })).json.error).toBe('invalid_request');
    expect((await login({ password: PASSWORD })).json.error).toBe('invalid_request');
    const huge = await login({ username: 'jane.doe@example.com', password: 'x'.repeat(5000) });
    expect(huge.status).toBe(400);
    expect(huge.json).toEqual({
      error: 'invalid_request',
      error_description: 'username or password is too long',
    });
  });

  it('refuses a scope the client may not have', async () => {
    const res = await login({
      username: 'jane.doe@example.com',
      password: PASSWORD,
      scope: 'admin',
    });
    expect(res.json.error).toBe('invalid_scope');
  });
});

/** A clock that moves on one second every time it is read. */
class TickingClock {
  private ms = Date.now();
  now(): number {
    this.ms += 1000;
    return this.ms;
  }
}

describe.each(storeTargets())('password grant tokens on $kind', (target) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(target, {
      clock: new TickingClock(),
      config: { profiles: ['net2grid'], passwordScryptLogN: 10 },
    });
  });
  afterAll(() => server.close());

  it('share one instant: access iat = ID token iat = auth_time, however long issuing takes', async () => {
    const app = await server.client({
      name: 'app',
      grantTypes: ['password'],
      authMethod: 'client_secret_post',
    });
    await server.gk.users.create('jane@example.com', PASSWORD);
    const res = await postForm(`${server.url}/v2/token`, {
      client_id: app.id,
      client_secret: app.secret,
      grant_type: 'password',
      username: 'jane@example.com',
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    const access = decodeJwt(res.json.access_token as string);
    const id = decodeJwt(res.json.id_token as string);
    expect(id.iat).toBe(access.iat);
    expect(id.auth_time).toBe(id.iat);
  });
});
