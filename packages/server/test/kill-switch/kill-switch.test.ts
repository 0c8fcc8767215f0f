import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  clientCredentials,
  FakeClock,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

const PASSWORD = 'correct horse battery';

interface FeedEvent {
  type: string;
  [field: string]: unknown;
}

describe.each(storeTargets())('the kill switch on $kind', (target) => {
  let server: TestServer;
  let admin: string;
  const clock = new FakeClock();

  beforeAll(async () => {
    server = await startTestServer(target, {
      clock,
      config: { profiles: ['net2grid'], passwordScryptLogN: 10 },
    });
    admin = (await server.gk.pats.createAdminToken()).token;
  });
  afterAll(() => server.close());

  const now = () => Math.floor(clock.now() / 1000);
  const feedAfter = async (cursor: string) =>
    (
      (await (await fetch(`${server.url}/revocations?after=${cursor}`)).json()) as {
        events: (FeedEvent & { cursor: string })[];
      }
    ).events;
  const lastCursor = async () => (await feedAfter('0')).at(-1)?.cursor ?? '0';
  const adminPost = (path: string) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
  const accessToken = async (client: { id: string; secret: string }) => {
    const res = await clientCredentials(server, client);
    expect(res.status).toBe(200);
    const token = res.json.access_token as string;
    return { token, claims: decodeJwt(token) as { jti: string; iat: number; client_id: string } };
  };
  const isRevoked = (t: { claims: { jti: string; iat: number; client_id: string } }) =>
    server.gk.store.revocations.isRevoked(t.claims.jti, {
      clientId: t.claims.client_id,
      iat: t.claims.iat,
    });

  it('revokes every token of a client, and only of that client, until now', async () => {
    const leaked = await server.client({ name: 'leaked', scopes: ['read'] });
    const other = await server.client({ name: 'other', scopes: ['read'] });
    const before = [await accessToken(leaked), await accessToken(leaked)];
    const bystander = await accessToken(other);
    const cursor = await lastCursor();

    const res = await adminPost(`/admin/api/clients/${leaked.id}/revoke-tokens`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ client_id: leaked.id, tokens_revoked: true });

    for (const t of before) expect(await isRevoked(t)).toBe(true);
    expect(await isRevoked(bystander)).toBe(false);
    // Introspection says so too (RFC 7662 §2.2: nothing but active: false).
    const rs = await server.client({ name: 'rs', scopes: [], resourceServer: true });
    const introspect = (token: string) =>
      postForm(
        `${server.url}/oauth2/introspect`,
        { token },
        { authorization: basic(rs.id, rs.secret) },
      );
    expect((await introspect(before[0]?.token ?? '')).json).toEqual({ active: false });
    expect((await introspect(bystander.token)).json.active).toBe(true);
    expect(await feedAfter(cursor)).toEqual([
      {
        cursor: expect.any(String),
        type: 'client.tokens_revoked',
        client_id: leaked.id,
        before: now(),
        at: now(),
        exp: now() + server.config.accessTokenMaxTtlSeconds,
      },
    ]);
    // iat has whole seconds: a token of the same second is refused too; the next works.
    expect(await isRevoked(await accessToken(leaked))).toBe(true);
    clock.advance(1);
    expect(await isRevoked(await accessToken(leaked))).toBe(false);

    const audit = (await (
      await fetch(`${server.url}/admin/api/audit`, {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json()) as { action: string; target: string }[];
    expect(audit.some((e) => e.action === 'client.revoke_tokens' && e.target === leaked.id)).toBe(
      true,
    );
  });

  it('never hands out a killed client’s token again through token reuse', async () => {
    const reuser = await server.client({ name: 'reuser', scopes: ['read'], reuseTokens: true });
    const first = await accessToken(reuser);
    expect((await accessToken(reuser)).claims.jti).toBe(first.claims.jti);
    await server.gk.clients.revokeTokens(reuser.id);
    clock.advance(1);
    const next = await accessToken(reuser);
    expect(next.claims.jti).not.toBe(first.claims.jti);
    expect(await isRevoked(next)).toBe(false);
  });

  it('revokes a deleted client’s tokens with it', async () => {
    const gone = await server.client({ name: 'gone', scopes: ['read'] });
    const token = await accessToken(gone);
    const res = await fetch(`${server.url}/admin/api/clients/${gone.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    expect(await isRevoked(token)).toBe(true);
  });

  it('revokes every token of a user: refresh tokens and the access tokens they issued', async () => {
    const app = await server.client({
      name: 'app',
      scopes: ['read'],
      grantTypes: ['password', 'refresh_token'],
      authMethod: 'client_secret_post',
    });
    const user = await server.gk.users.create('kill@example.com', PASSWORD);
    const login = await postForm(`${server.url}/v2/token`, {
      grant_type: 'password',
      client_id: app.id,
      client_secret: app.secret,
      username: 'kill@example.com',
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    const jti = decodeJwt(login.json.access_token as string).jti as string;
    const cursor = await lastCursor();

    const res = await adminPost(`/admin/api/users/${user.id}/revoke-tokens`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: user.id,
      email: 'kill@example.com',
      tokens_revoked: true,
    });
    expect(await server.gk.store.revocations.isRevoked(jti)).toBe(true);
    expect((await feedAfter(cursor)).map((e) => [e.type, e.jti])).toEqual([
      ['access_token.revoked', jti],
    ]);
    const refresh = await postForm(`${server.url}/v2/token`, {
      grant_type: 'refresh_token',
      client_id: app.id,
      client_secret: app.secret,
      refresh_token: login.json.refresh_token as string,
    });
    expect(refresh.status).toBe(400);
    expect(refresh.json.error).toBe('invalid_grant');
    // The user can still log in: this is not a lock-out.
    const again = await postForm(`${server.url}/v2/token`, {
      grant_type: 'password',
      client_id: app.id,
      client_secret: app.secret,
      username: 'kill@example.com',
      password: PASSWORD,
    });
    expect(again.status).toBe(200);
  });

  it('revokes one token by jti, and refuses a jti that is no token id', async () => {
    const client = await server.client({ name: 'one', scopes: ['read'] });
    const token = await accessToken(client);
    const cursor = await lastCursor();
    const res = await adminPost(`/admin/api/tokens/${encodeURIComponent(token.claims.jti)}/revoke`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jti: token.claims.jti, revoked: true });
    expect(await isRevoked(token)).toBe(true);
    expect((await feedAfter(cursor)).map((e) => [e.type, e.jti])).toEqual([
      ['access_token.revoked', token.claims.jti],
    ]);
    const bad = await adminPost(`/admin/api/tokens/${encodeURIComponent('a b')}/revoke`);
    expect(bad.status).toBe(400);
  });

  it('answers an unknown client or user with 404 and changes nothing', async () => {
    const cursor = await lastCursor();
    expect((await adminPost('/admin/api/clients/nope/revoke-tokens')).status).toBe(404);
    expect((await adminPost('/admin/api/users/nope/revoke-tokens')).status).toBe(404);
    expect(await feedAfter(cursor)).toEqual([]);
  });
});

describe.each(storeTargets())('the kill switch from the CLI on $kind', (target) => {
  it('revokes a client’s tokens, a user’s tokens and one jti, with one line on a bad id', async () => {
    const db = await target.create();
    const where = ['--data-dir', db.dataDir, '--db', db.dbUrl, '--json'];
    try {
      const created = (await runCli(['client', 'create', '--name', 'cli', ...where])).json() as {
        client_id: string;
      };
      const revoked = await runCli(['client', 'revoke-tokens', created.client_id, ...where]);
      expect(revoked.code).toBe(0);
      expect(revoked.json()).toEqual({ client_id: created.client_id, tokens_revoked: true });
      const one = await runCli(['token', 'revoke', 'some-jti', ...where]);
      expect(one.json()).toEqual({ jti: 'some-jti', revoked: true });
      const unknown = await runCli(['user', 'revoke-tokens', 'nobody@example.com', ...where]);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await db.cleanup();
    }
  });
});
