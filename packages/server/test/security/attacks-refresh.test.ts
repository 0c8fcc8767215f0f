import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER } from '../../../../test/helpers/json-api.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import {
  expectNoLeak,
  expectUnchanged,
  GENEROUS_LIMITS,
  rowCounts,
  snapshot,
} from './attack-helpers.js';

/**
 * The refresh_token grant under attack (RFC 6749 §6 and §10.4, RFC 9700
 * §2.2.2 and §4.14; OWASP ASVS 5 V10.4.4, V10.4.5): scope widening, another client's token, other kinds of
 * token presented as refresh tokens, revoked and spent ones.
 */

const PASSWORD = 'correct horse battery staple';
type Client = { id: string; secret: string };

describe.each(storeTargets())('refresh-token attacks on $kind', (target) => {
  let server: TestServer;
  let app: Client;
  let other: Client;
  let secrets: string[];

  beforeAll(async () => {
    server = await startTestServer(target, { config: GENEROUS_LIMITS });
    const spec = {
      scopes: ['a', 'b', 'c'],
      grantTypes: ['password', 'refresh_token', 'client_credentials'],
      authMethod: 'client_secret_post' as const,
    };
    app = await server.client({ name: 'app', ...spec });
    other = await server.client({ name: 'other', ...spec });
    await server.gk.users.create('jane@example.com', PASSWORD);
    secrets = [app.secret, other.secret, PASSWORD];
  });
  afterAll(() => server.close());

  const token = (client: Client, form: Record<string, string>) =>
    postForm(`${server.url}/oauth2/token`, {
      client_id: client.id,
      client_secret: client.secret,
      ...form,
    });
  /** A fresh login of jane, granted `scope` (all of the client's without it). */
  const login = async (scope?: string, client = app) => {
    const res = await token(client, {
      grant_type: 'password',
      username: 'jane@example.com',
      password: PASSWORD,
      ...(scope === undefined ? {} : { scope }),
    });
    expect(res.status).toBe(200);
    secrets.push(res.json.refresh_token as string, res.json.access_token as string);
    return res.json as { access_token: string; refresh_token: string; id_token: string };
  };
  const refresh = (refreshToken: string, extra: Record<string, string> = {}, client = app) =>
    token(client, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });

  /** A refused refresh: the status and error, nothing stored, nothing leaked. */
  async function refused(
    refreshToken: string,
    extra: Record<string, string>,
    client: Client,
    expected: { status: number; error: string },
  ) {
    const before = await snapshot(server);
    const res = await refresh(refreshToken, extra, client);
    expect(res.status).toBe(expected.status);
    expect(res.json.error).toBe(expected.error);
    expect(res.json.access_token).toBeUndefined();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expectNoLeak(res.text, [...secrets, refreshToken], 'body');
    await expectUnchanged(server, before);
    expectNoLeak(server.logs(), [...secrets, refreshToken], 'logs');
    return res;
  }

  it('refuses a wider scope on refresh and leaves the refresh token usable (RFC 6749 §6)', async () => {
    const first = await login('a');
    for (const scope of ['a b', 'b', 'a c', 'a d', 'd', 'a a b', '*']) {
      await refused(first.refresh_token, { scope }, app, { status: 400, error: 'invalid_scope' });
    }
    // Refused before rotation: the token is not spent, and still grants only `a`.
    const ok = await refresh(first.refresh_token);
    expect(ok.status).toBe(200);
    expect(ok.json.scope).toBe('a');
    // A narrowed refresh does not widen the family's grant for the next one either.
    const narrowed = await login('a b');
    const step = await refresh(narrowed.refresh_token, { scope: 'a' });
    expect(step.json.scope).toBe('a');
    await refused(step.json.refresh_token as string, { scope: 'a b c' }, app, {
      status: 400,
      error: 'invalid_scope',
    });
    expect((await refresh(step.json.refresh_token as string)).json.scope).toBe('a b');
  });

  it('refuses the refresh token of another client and does not spend it (RFC 6749 §10.4)', async () => {
    const mine = await login();
    await refused(mine.refresh_token, {}, other, { status: 400, error: 'invalid_grant' });
    // Nor may the other client learn of it, or revoke it.
    const introspected = await postForm(`${server.url}/oauth2/introspect`, {
      token: mine.refresh_token,
      client_id: other.id,
      client_secret: other.secret,
    });
    expect(introspected.json).toEqual({ active: false });
    const before = await snapshot(server);
    const revoked = await postForm(`${server.url}/oauth2/revoke`, {
      token: mine.refresh_token,
      client_id: other.id,
      client_secret: other.secret,
    });
    // RFC 7009 §2.1: the server verifies that the token was issued to the client.
    expect(revoked.status).toBe(400);
    expect(revoked.json.error).toBe('unauthorized_client');
    await expectUnchanged(server, before);
    expect((await refresh(mine.refresh_token)).status).toBe(200);
  });

  it('refuses an access token, ID token, PAT, API key, login token or secret as a refresh token', async () => {
    const tokens = await login();
    const cc = await postForm(`${server.url}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: app.id,
      client_secret: app.secret,
    });
    expect(cc.status).toBe(200);
    const pat = await server.gk.pats.createAdminToken('refresh-attack');
    const apiKey = await server.gk.apiKeys.create({ name: 'refresh-attack', scopes: ['a'] });
    const loginToken = await server.gk.loginTokens.create({
      customerUuid: CUSTOMER,
      scopes: ['a'],
    });
    const tampered = `${tokens.refresh_token.slice(0, -1)}${tokens.refresh_token.endsWith('A') ? 'B' : 'A'}`;
    const candidates: [string, string][] = [
      ['a user access token', tokens.access_token],
      ['a client_credentials access token', cc.json.access_token as string],
      ['an ID token', tokens.id_token],
      ['an admin PAT', pat.token],
      ['an API key', apiKey.key],
      ['a login token', loginToken.token],
      ['the client secret', app.secret],
      ['a refresh token with one character changed', tampered],
      ['a refresh-token-shaped guess', `gkr_${'A'.repeat(43)}`],
      ['the refresh token with a trailing space', `${tokens.refresh_token} `],
      ['the refresh token in upper case', tokens.refresh_token.toUpperCase()],
    ];
    secrets.push(pat.token, apiKey.key, loginToken.token);
    for (const [name, candidate] of candidates) {
      const res = await refused(candidate, {}, app, { status: 400, error: 'invalid_grant' });
      expect(res.json.error_description, name).toBe(
        'the refresh token is invalid, expired or revoked',
      );
    }
    // None of it touched the real one.
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it('refuses a revoked refresh token (RFC 7009), and changes nothing more', async () => {
    const tokens = await login();
    const revoked = await postForm(`${server.url}/oauth2/revoke`, {
      token: tokens.refresh_token,
      client_id: app.id,
      client_secret: app.secret,
    });
    expect(revoked.status).toBe(200);
    await refused(tokens.refresh_token, {}, app, { status: 400, error: 'invalid_grant' });
    await refused(tokens.refresh_token, { scope: 'a' }, app, {
      status: 400,
      error: 'invalid_grant',
    });
  });

  it('answers a spent refresh token by revoking its family (RFC 9700 §4.14.2), once', async () => {
    const first = await login();
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    const successor = second.json.refresh_token as string;
    secrets.push(successor);

    const before = await snapshot(server);
    const replay = await refresh(first.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
    expectNoLeak(replay.text, [...secrets, first.refresh_token], 'body');
    // What changed is the family's revocation, nothing else: no token was issued.
    const after = await snapshot(server);
    const changed = Object.keys(after).filter(
      (t) => JSON.stringify(after[t]) !== JSON.stringify(before[t]),
    );
    expect(
      changed.every((t) => ['refresh_tokens', 'revoked_tokens', 'token_events'].includes(t)),
    ).toBe(true);
    expect(rowCounts(after).refresh_tokens).toBe(rowCounts(before).refresh_tokens);
    // The successor died with the family; a second replay changes nothing more.
    await refused(successor, {}, app, { status: 400, error: 'invalid_grant' });
    await refused(first.refresh_token, {}, app, { status: 400, error: 'invalid_grant' });
    // The thief presenting the spent token through another client changes nothing either.
    await refused(first.refresh_token, {}, other, { status: 400, error: 'invalid_grant' });
  });

  it('refuses a refresh grant for a client without that grant type', async () => {
    const ccOnly = await server.client({
      name: 'cc-only',
      scopes: ['a'],
      grantTypes: ['client_credentials'],
      authMethod: 'client_secret_post',
    });
    secrets.push(ccOnly.secret);
    const tokens = await login();
    await refused(tokens.refresh_token, {}, ccOnly, { status: 400, error: 'unauthorized_client' });
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it('refuses Basic credentials of the owner mixed with a body of another client', async () => {
    const tokens = await login();
    const before = await snapshot(server);
    const res = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: other.id },
      { authorization: basic(app.id, app.secret) },
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_request');
    await expectUnchanged(server, before);
  });
});
