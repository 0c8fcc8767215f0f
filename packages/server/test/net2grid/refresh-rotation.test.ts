import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

const PASSWORD = 'correct horse battery';

describe.each(storeTargets())('refresh-token rotation on $kind', (target) => {
  let server: TestServer;
  let app: { id: string; secret: string };
  let other: { id: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(target, {
      config: { profiles: ['net2grid'], passwordScryptLogN: 10 },
    });
    const spec = {
      scopes: ['a', 'b'],
      grantTypes: ['password', 'refresh_token'],
      authMethod: 'client_secret_post',
    };
    app = await server.client({ name: 'app', ...spec });
    other = await server.client({ name: 'other', ...spec });
    await server.gk.users.create('jane@example.com', PASSWORD);
    await server.gk.users.create('joe@example.com', PASSWORD);
  });
  afterAll(() => server.close());

  const token = (client: { id: string; secret: string }, form: Record<string, string>) =>
    postForm(`${server.url}/v2/token`, {
      client_id: client.id,
      client_secret: client.secret,
      ...form,
    });
  const login = async (username = 'jane@example.com', client = app) =>
    (await token(client, { grant_type: 'password', username, password: PASSWORD })).json;
  const refresh = (refreshToken: string, extra: Record<string, string> = {}, client = app) =>
    token(client, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
  const feedJtis = async () =>
    (
      (await (await fetch(`${server.url}/revocations?after=0`)).json()) as {
        revocations: { jti: string }[];
      }
    ).revocations.map((r) => r.jti);

  it('answers the seed’s refresh request with new tokens and rotates the refresh token', async () => {
    const first = await login();
    const res = await refresh(first.refresh_token as string);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual([
      'access_token',
      'refresh_token',
      'id_token',
      'expires_in',
      'token_type',
      'scope',
    ]);
    expect(res.json).toMatchObject({ expires_in: 3600, token_type: 'Bearer', scope: ['a', 'b'] });
    expect(res.json.refresh_token).not.toBe(first.refresh_token);
    const id = decodeJwt(res.json.id_token as string);
    expect(id.auth_time).toBe(decodeJwt(first.id_token as string).auth_time);
    expect((await refresh(res.json.refresh_token as string)).status).toBe(200);
  });

  it('treats a spent token as reuse: invalid_grant, and the whole family is revoked', async () => {
    const first = await login();
    const second = (await refresh(first.refresh_token as string)).json;
    const reuse = await refresh(first.refresh_token as string);
    expect(reuse.status).toBe(400);
    expect(reuse.json).toEqual({
      error: 'invalid_grant',
      error_description: 'the refresh token is invalid, expired or revoked',
    });
    // The successor is gone too, and so are the access tokens the family issued.
    expect((await refresh(second.refresh_token as string)).json.error).toBe('invalid_grant');
    const jtis = await feedJtis();
    expect(jtis).toContain(decodeJwt(first.access_token as string).jti);
    expect(jtis).toContain(decodeJwt(second.access_token as string).jti);
    // Another family of the same user is untouched.
    const unrelated = await login();
    expect((await refresh(unrelated.refresh_token as string)).status).toBe(200);
  });

  it('narrows scope on refresh but never widens it; the family keeps the original grant', async () => {
    const first = await login();
    const narrow = await refresh(first.refresh_token as string, { scope: 'a' });
    expect(narrow.json.scope).toEqual(['a']);
    expect(decodeJwt(narrow.json.access_token as string).scope).toBe('a');
    const wide = await refresh(narrow.json.refresh_token as string, { scope: 'a c' });
    expect(wide.json.error).toBe('invalid_scope');
    const full = await refresh(narrow.json.refresh_token as string);
    expect(full.json.scope).toEqual(['a', 'b']);
  });

  it('binds a refresh token to its client', async () => {
    const first = await login();
    const stolen = await refresh(first.refresh_token as string, {}, other);
    expect(stolen.json.error).toBe('invalid_grant');
    expect((await refresh(first.refresh_token as string)).status).toBe(200);
  });

  it('lets exactly one of many parallel refreshes of one token win', async () => {
    const first = await login();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => refresh(first.refresh_token as string)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 400 && r.json.error === 'invalid_grant'),
    ).toHaveLength(7);
  });

  it('revokes a family through the revocation endpoint and reports refresh tokens in introspection', async () => {
    const first = await login();
    const introspect = (t: string, client = app) =>
      postForm(`${server.url}/oauth2/introspect`, {
        token: t,
        client_id: client.id,
        client_secret: client.secret,
      });
    const active = await introspect(first.refresh_token as string);
    expect(active.json).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      client_id: app.id,
      scope: 'a b',
    });
    expect((await introspect(first.refresh_token as string, other)).json).toEqual({
      active: false,
    });
    const revoked = await postForm(`${server.url}/oauth2/revoke`, {
      token: first.refresh_token as string,
      token_type_hint: 'refresh_token',
      client_id: app.id,
      client_secret: app.secret,
    });
    expect(revoked.status).toBe(200);
    expect((await introspect(first.refresh_token as string)).json).toEqual({ active: false });
    expect((await refresh(first.refresh_token as string)).json.error).toBe('invalid_grant');
    expect(await feedJtis()).toContain(decodeJwt(first.access_token as string).jti);
  });

  it('never lets a successor escape a revocation racing its rotation', async () => {
    for (let i = 0; i < 10; i++) {
      const first = await login();
      const [rotated] = await Promise.all([
        refresh(first.refresh_token as string),
        postForm(`${server.url}/oauth2/revoke`, {
          token: first.refresh_token as string,
          client_id: app.id,
          client_secret: app.secret,
        }),
      ]);
      if (rotated.status === 200) {
        expect((await refresh(rotated.json.refresh_token as string)).json.error).toBe(
          'invalid_grant',
        );
      }
    }
  });

  it('disabling a user revokes all their refresh tokens', async () => {
    const a = await login('joe@example.com');
    const b = await login('joe@example.com');
    await server.gk.users.disable('joe@example.com');
    for (const t of [a, b])
      expect((await refresh(t.refresh_token as string)).json.error).toBe('invalid_grant');
    expect(
      (
        await token(app, {
          grant_type: 'password',
          username: 'joe@example.com',
          password: PASSWORD,
        })
      ).json.error,
    ).toBe('invalid_grant');
  });
});
