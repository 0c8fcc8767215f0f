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
import { generateApiKey, isWellFormedApiKey } from '../../src/tokens/api-keys.js';

describe('API key format', () => {
  it('is gk_, 43 base62 characters and a 6-character checksum that catches a typo', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^gk_[0-9A-Za-z]{49}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
    const i = 10;
    const typo = `${key.slice(0, i)}${key[i] === 'a' ? 'b' : 'a'}${key.slice(i + 1)}`;
    expect(isWellFormedApiKey(typo)).toBe(false);
    expect(isWellFormedApiKey(`${key}x`)).toBe(false);
    expect(new Set(Array.from({ length: 50 }, generateApiKey)).size).toBe(50);
  });
});

describe.each(storeTargets())('API keys on $kind', (target) => {
  let server: TestServer;
  let rs: { id: string; secret: string };
  const clock = new FakeClock();

  beforeAll(async () => {
    server = await startTestServer(target, { clock, config: { lastUsedDebounceSeconds: 60 } });
    rs = await server.client({ name: 'resource server', resourceServer: true });
  });
  afterAll(() => server.close());

  const introspect = (token: string) =>
    postForm(
      `${server.url}/oauth2/introspect`,
      { token },
      { authorization: basic(rs.id, rs.secret) },
    );
  const cli = (...args: string[]) =>
    runCli([...args, '--data-dir', server.dataDir, '--db', server.dbUrl]);

  it('creates a key shown once, lists only its prefix and last four, introspects it', async () => {
    const created = await cli(
      'apikey',
      'create',
      '--name',
      'charger fleet',
      '--scope',
      'sessions:read',
      '--expires',
      '2099-01-01T00:00:00Z',
      '--json',
    );
    expect(created.stderr).toBe('');
    const out = created.json() as { id: string; key: string; key_hint: string };
    expect(isWellFormedApiKey(out.key)).toBe(true);
    expect(out.key_hint).toBe(`${out.key.slice(0, 7)}…${out.key.slice(-4)}`);

    const list = await cli('apikey', 'list', '--json');
    expect(list.stdout).not.toContain(out.key);
    expect(list.stdout).not.toContain(out.key.slice(7, 40));
    expect(
      (list.json() as { id: string; status: string }[]).find((k) => k.id === out.id)?.status,
    ).toBe('active');

    const res = await introspect(out.key);
    expect(res.json).toMatchObject({
      active: true,
      token_type: 'api_key',
      scope: 'sessions:read',
      name: 'charger fleet',
      exp: Date.parse('2099-01-01T00:00:00Z') / 1000,
    });

    const revoked = await cli('apikey', 'revoke', out.id, '--json');
    expect(revoked.json()).toEqual({ id: out.id, revoked: true });
    expect((await introspect(out.key)).json).toEqual({ active: false });
    expect((await cli('apikey', 'revoke', 'no-such-id')).stderr).toBe(
      'gridkey: no API key with id no-such-id\n',
    );
  });

  it('refuses a malformed key without a database look-up', async () => {
    const { key } = await server.gk.apiKeys.create({ name: 'k', scopes: [] });
    const lookup = vi.spyOn(server.gk.store.apiKeys, 'findByHash');
    const typo = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
    expect((await introspect(typo)).json).toEqual({ active: false });
    expect((await introspect('gk_short')).json).toEqual({ active: false });
    expect(lookup).not.toHaveBeenCalled();
    expect((await introspect(key)).json.active).toBe(true);
    expect(lookup).toHaveBeenCalledTimes(1);
    lookup.mockRestore();
  });

  it('expires a key at its expiry', async () => {
    const soon = Math.floor(clock.now() / 1000) + 100;
    const { key } = await server.gk.apiKeys.create({ name: 'short', scopes: [], expiresAt: soon });
    expect((await introspect(key)).json.active).toBe(true);
    clock.advance(100);
    expect((await introspect(key)).json).toEqual({ active: false });
  });

  it('records last use at most once per debounce interval', async () => {
    const { key, record } = await server.gk.apiKeys.create({ name: 'busy', scopes: [] });
    const touch = vi.spyOn(server.gk.store.apiKeys, 'touch');
    for (let i = 0; i < 5; i++) await introspect(key);
    expect(touch).toHaveBeenCalledTimes(1);
    await vi.waitFor(async () =>
      expect(
        (await server.gk.store.apiKeys.list()).find((k) => k.id === record.id)?.lastUsedAt,
      ).not.toBeNull(),
    );
    clock.advance(61);
    await introspect(key);
    expect(touch).toHaveBeenCalledTimes(2);
    touch.mockRestore();
  });
});
