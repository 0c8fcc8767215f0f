import { afterEach, describe, expect, it } from 'vitest';
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

describe.each(storeTargets())('token budgets, token reuse and deprecation on $kind', (target) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const cc = (
    s: TestServer,
    c: { id: string; secret: string },
    path = '/oauth2/token',
    form: Record<string, string> = {},
  ) => clientCredentials(s, c, { path, form });

  it('limits a client’s tokens per minute across every path and profile, with Retry-After', async () => {
    server = await startTestServer(target, { config: { profiles: ['depotfinity'] } });
    const client = await server.client({ name: 'busy', tokenBudgetPerMinute: 3 });
    expect((await cc(server, client, '/oauth2/token')).status).toBe(200);
    expect((await cc(server, client, '/oauth/token')).status).toBe(200);
    expect((await cc(server, client, '/v2/token')).status).toBe(200);
    for (const path of ['/oauth2/token', '/oauth/token']) {
      const res = await cc(server, client, path);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.json.error).toBe('too_many_requests');
    }
    // Another client has its own budget.
    const other = await server.client({ name: 'calm' });
    expect((await cc(server, other)).status).toBe(200);
  });

  it('applies the server default budget to clients without their own', async () => {
    server = await startTestServer(target, { config: { clientTokensPerMinute: 2 } });
    const client = await server.client({ name: 'default budget' });
    expect((await cc(server, client)).status).toBe(200);
    expect((await cc(server, client)).status).toBe(200);
    expect((await cc(server, client)).status).toBe(429);
  });

  it('answers repeated wrong secrets for a client_id with 429, yet lets its correct secret in', async () => {
    server = await startTestServer(target, { config: { clientAuthFailuresPerMinute: 3 } });
    const client = await server.client({ name: 'target' });
    const guess = { id: client.id, secret: 'guess' };
    for (let i = 0; i < 3; i++) expect((await cc(server, guess)).status).toBe(401);
    const locked = await cc(server, guess);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await cc(server, client)).status).toBe(200);
    // The flood is not logged line by line at info.
    expect(server.logs()).not.toContain('"status":429');
  });

  it('refuses an address that failed too often before checking anything', async () => {
    server = await startTestServer(target, {
      config: { clientAuthFailuresPerAddressPerMinute: 2 },
    });
    const client = await server.client({ name: 'target' });
    for (let i = 0; i < 2; i++) await cc(server, { id: `nobody-${i}`, secret: 'x' });
    expect((await cc(server, client)).status).toBe(429);
  });

  it('stops a client at its sunset', async () => {
    const clock = new FakeClock();
    server = await startTestServer(target, { clock });
    const client = await server.client({ name: 'sunsetting' });
    const now = Math.floor(clock.now() / 1000);
    await server.gk.clients.update(client.id, { deprecatedAt: now, sunsetAt: now + 60 });
    expect((await cc(server, client)).status).toBe(200);
    clock.advance(60);
    const gone = await cc(server, client);
    expect(gone.status).toBe(401);
    expect(gone.json.error).toBe('invalid_client');
  });

  it('with reuse_tokens, answers a repeated request with the same token and the time it has left', async () => {
    const clock = new FakeClock();
    server = await startTestServer(target, { clock });
    const client = await server.client({ name: 'reuser', scopes: ['a', 'b'], reuseTokens: true });
    const first = await cc(server, client);
    clock.advance(600);
    const second = await cc(server, client);
    expect(second.json.access_token).toBe(first.json.access_token);
    expect(second.json.expires_in).toBe(3000);
    const narrower = await cc(server, client, '/oauth2/token', { scope: 'a' });
    expect(narrower.json.access_token).not.toBe(first.json.access_token);
    // A revoked token is never handed out again.
    await postForm(
      `${server.url}/oauth2/revoke`,
      { token: first.json.access_token as string },
      { authorization: basic(client.id, client.secret) },
    );
    const third = await cc(server, client);
    expect(third.json.access_token).not.toBe(first.json.access_token);
    expect(third.json.expires_in).toBe(3600);
    // Clients without the option always get a new token.
    const plain = await server.client({ name: 'plain' });
    expect((await cc(server, plain)).json.access_token).not.toBe(
      (await cc(server, plain)).json.access_token,
    );
  });

  it('marks a deprecated client’s responses with Deprecation and Sunset, and lists it as still in use', async () => {
    server = await startTestServer(target, { config: { lastUsedDebounceSeconds: 0 } });
    const client = await server.client({ name: 'legacy' });
    const where = ['--data-dir', server.dataDir, '--db', server.dbUrl];
    const updated = await runCli([
      'client',
      'update',
      client.id,
      '--deprecate',
      '--sunset',
      '2099-06-30T00:00:00Z',
      '--json',
      ...where,
    ]);
    expect(updated.stderr).toBe('');
    expect(updated.json()).toMatchObject({
      deprecated: true,
      sunset_at: '2099-06-30T00:00:00.000Z',
      in_use_since_deprecation: false,
    });
    const res = await cc(server, client);
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toMatch(/^@\d+$/);
    expect(res.headers.get('sunset')).toBe('Tue, 30 Jun 2099 00:00:00 GMT');
    const list = await runCli(['client', 'list', ...where]);
    expect(list.stdout).toContain('DEPRECATED (still in use)');
    const json = (await runCli(['client', 'list', '--json', ...where])).json() as {
      client_id: string;
      in_use_since_deprecation: boolean;
    }[];
    expect(json.find((c) => c.client_id === client.id)?.in_use_since_deprecation).toBe(true);
    for (const args of [
      ['--sunset', '2099-01-01T00:00:00Z'],
      ['--reuse-tokens', 'maybe'],
      ['--token-budget', '0'],
      ['--token-budget', 'abc'],
      [],
    ]) {
      const bad = await runCli(['client', 'update', client.id, ...args, ...where]);
      expect(bad.code, args.join(' ')).toBe(1);
      expect(bad.stderr, args.join(' ')).toMatch(/^gridkey: .+\n$/);
    }
  });
});
