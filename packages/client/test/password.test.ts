import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { TokenClient, type TokenClientEvent, TokenRequestError } from '../src/index.js';
import { FileTokenStore, MemoryTokenStore, type StoredTokens } from '../src/stores/index.js';
import {
  gate,
  type Loopback,
  sqlite,
  startProxy,
  startVerifiedApi,
  until,
  type VerifiedApi,
} from './helpers.js';

const USERNAME = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';

const grantOf = (body: string) => new URLSearchParams(body).get('grant_type');

describe('TokenClient.password against gridkey', () => {
  let server: TestServer;
  let proxy: Loopback;
  let api: VerifiedApi;
  let app: { id: string; secret: string };
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer(sqlite(), {
      config: { profiles: ['net2grid'], passwordScryptLogN: 10 },
    });
    proxy = await startProxy(server.url);
    api = await startVerifiedApi(server);
    app = await server.client({
      name: 'app',
      scopes: ['meters:read'],
      grantTypes: ['password', 'refresh_token'],
      authMethod: 'client_secret_post',
    });
    await server.gk.users.create(USERNAME, PASSWORD);
    dir = await mkdtemp(join(tmpdir(), 'gridkey-client-password-'));
  });
  afterAll(async () => {
    await api.close();
    await proxy.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A client whose monotonic clock the test moves. */
  function passwordClient(options: {
    store?: MemoryTokenStore | FileTokenStore;
    password?: string;
    storeKey?: string;
  }) {
    let now = 0;
    const events: TokenClientEvent[] = [];
    const client = TokenClient.password({
      tokenUrl: `${proxy.url}/v2/token`,
      clientId: app.id,
      clientSecret: app.secret,
      auth: 'client_secret_post',
      username: USERNAME,
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.store === undefined ? {} : { store: options.store }),
      ...(options.storeKey === undefined ? {} : { storeKey: options.storeKey }),
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    return { client, events, advance: (ms: number) => (now += ms) };
  }

  /** Waits for the next `renewed` event after `count` of them. */
  const renewedAfter = (events: TokenClientEvent[], count: number) =>
    until(() => events.filter((e) => e.type === 'renewed').length > count, `renewal ${count + 1}`);

  it('logs in once, then renews with rotating refresh tokens only, and never stores the password', async () => {
    const store = new FileTokenStore(join(dir, 'tokens.json'));
    const { client, events, advance } = passwordClient({ store, password: PASSWORD });
    const from = proxy.log.length;
    const first = await client.getToken();
    const verified = (await (await client.fetch(`${api.url}/meters`)).json()) as { kind: string };
    expect(verified.kind).toBe('access_token');

    let token = first;
    for (let i = 1; i <= 3; i++) {
      advance(3600 * 1000 * 0.81); // past renewAt of a one-hour token
      expect(await client.getToken()).toBe(token); // served while renewing
      await renewedAfter(events, i);
      const next = await client.getToken();
      expect(next).not.toBe(token);
      token = next;
    }
    const sent = proxy.log.slice(from);
    expect(sent.map((r) => grantOf(r.body))).toEqual([
      'password',
      'refresh_token',
      'refresh_token',
      'refresh_token',
    ]);
    // Each refresh presents the token the previous answer rotated to: no reuse.
    const presented = sent.slice(1).map((r) => new URLSearchParams(r.body).get('refresh_token'));
    expect(new Set(presented).size).toBe(3);
    // Only the first request carries the password.
    expect(
      sent.filter((r) => r.body.includes(encodeURIComponent(PASSWORD).replace(/%20/g, '+'))),
    ).toHaveLength(1);
    const file = await readFile(join(dir, 'tokens.json'), 'utf8');
    expect(file).not.toContain(PASSWORD);
    expect(file).not.toContain(encodeURIComponent(PASSWORD));
    expect(file).not.toContain(USERNAME);
    const [record] = Object.values(
      (JSON.parse(file) as { records: Record<string, { data: Record<string, unknown> }> }).records,
    );
    expect(Object.keys(record?.data ?? {}).sort()).toEqual([
      'accessToken',
      'issuedAt',
      'lifetimeMs',
      'refreshToken',
    ]);
    // The family is alive: the newest token still passes the resource server.
    const res = await client.fetch(`${api.url}/meters`);
    expect(res.status).toBe(200);
  });

  it('keeps no password in a memory store either', async () => {
    const store = new MemoryTokenStore();
    const { client } = passwordClient({ store, password: PASSWORD, storeKey: 'ada' });
    await client.getToken();
    const record = await store.load('ada');
    expect(record?.data.refreshToken).toMatch(/\S/);
    expect(JSON.stringify(record)).not.toContain(PASSWORD);
  });

  it('starts from the store: its fresh access token, or its refresh token, without a password', async () => {
    const store = new FileTokenStore(join(dir, 'resume.json'));
    const first = await passwordClient({
      store,
      password: PASSWORD,
      storeKey: 'k',
    }).client.getToken();
    const from = proxy.log.length;
    // A restart: a new client over the same store, no password given. The
    // stored access token is fresh, so nothing is sent.
    expect(await passwordClient({ store, storeKey: 'k' }).client.getToken()).toBe(first);
    expect(proxy.log.length - from).toBe(0);
    // A later restart finds it aged past renewal: the refresh token renews it.
    const record = await store.load('k');
    const { issuedAt = 0, lifetimeMs = 0 } = record?.data ?? {};
    await store.compareAndSwap('k', record?.version ?? 0, {
      ...record?.data,
      issuedAt: issuedAt - lifetimeMs * 0.9,
    });
    const later = passwordClient({ store, storeKey: 'k' });
    const renewed = await later.client.getToken();
    expect(renewed).not.toBe(first);
    expect(proxy.log.slice(from).map((r) => grantOf(r.body))).toEqual(['refresh_token']);
    expect((await later.client.fetch(`${api.url}/meters`)).status).toBe(200);
  });

  it('sees a refresh through when its caller aborts, so that the rotated token is not lost', async () => {
    const store = new MemoryTokenStore();
    const { client, events, advance } = passwordClient({
      store,
      password: PASSWORD,
      storeKey: 'a',
    });
    await client.getToken();
    const spent = (await store.load('a'))?.data.refreshToken;
    advance(3600 * 1000); // expired: the next call waits for the refresh
    const held = gate();
    proxy.script = [{ hold: held.promise, answer: 'proxy' }];
    const from = proxy.log.length;
    const controller = new AbortController();
    const waiting = client.getToken({ signal: controller.signal });
    await proxy.received(from + 1);
    controller.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
    held.open();
    // The refresh completes in the background and its tokens are kept.
    await until(
      () => events.filter((e) => e.type === 'renewed').length === 2,
      'the abandoned refresh to complete',
    );
    const stored = (await store.load('a'))?.data;
    expect(stored?.refreshToken).not.toBe(spent);
    expect(stored?.lease).toBeUndefined();
    expect(await client.getToken()).toBe(stored?.accessToken);
    expect(proxy.log.length - from).toBe(1);
  });

  it('keeps a rotated refresh token the store failed to take, and stores it before the next refresh', async () => {
    /** A store whose disk fills up for the next `failures` writes of new tokens. */
    class FillingStore extends MemoryTokenStore {
      failures = 0;
      override async compareAndSwap(key: string, expected: number, data: StoredTokens) {
        if (this.failures > 0 && data.lease === undefined && data.accessToken !== undefined) {
          this.failures--;
          throw new Error('ENOSPC: no space left on device');
        }
        return super.compareAndSwap(key, expected, data);
      }
    }
    const store = new FillingStore();
    const { client, events, advance } = passwordClient({
      store,
      password: PASSWORD,
      storeKey: 'f',
    });
    const first = await client.getToken();
    const from = proxy.log.length;
    store.failures = 1;
    advance(3600 * 1000); // expired: this refresh's tokens cannot be stored
    const second = await client.getToken();
    expect(second).not.toBe(first);
    expect((await store.load('f'))?.data.accessToken).toBe(first);
    advance(3600 * 1000); // the next renewal stores them first, then refreshes with them
    const third = await client.getToken();
    expect(third).not.toBe(second);
    const presented = proxy.log
      .slice(from)
      .map((r) => new URLSearchParams(r.body).get('refresh_token'));
    expect(presented).toHaveLength(2);
    expect(new Set(presented).size).toBe(2); // the spent one was never presented again
    expect((await store.load('f'))?.data.accessToken).toBe(third);
    expect(events.filter((e) => e.type === 'failed')).toEqual([]);
    expect((await client.fetch(`${api.url}/meters`)).status).toBe(200);
  });

  it('fails with invalid_grant once the family is revoked, then login_required: the password is gone', async () => {
    const { client, events, advance } = passwordClient({ password: PASSWORD });
    await client.getToken();
    await server.gk.users.revokeTokens(USERNAME);
    const from = proxy.log.length;
    advance(3600 * 1000); // expired: the next call waits for a renewal
    const err = await client.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRequestError);
    expect(err).toMatchObject({ code: 'refused', error: 'invalid_grant', attempts: 1 });
    // Held for 10 s, then the client says why it cannot go on.
    await expect(client.getToken()).rejects.toBe(err);
    advance(10_001);
    const again = await client.getToken().catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'login_required', attempts: 0 });
    // One refresh, then nothing: the password is never sent again.
    expect(proxy.log.slice(from).map((r) => grantOf(r.body))).toEqual(['refresh_token']);
    expect(events.filter((e) => e.type === 'failed')).toHaveLength(2);
    for (const e of events) expect(JSON.stringify(e)).not.toContain(PASSWORD);
  });

  it('fails fast on a wrong password with one request, and does not try it again', async () => {
    const { client, advance } = passwordClient({ password: 'not the password' });
    const from = proxy.log.length;
    const err = await client.getToken().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'refused', error: 'invalid_grant', status: 400 });
    expect(String(err)).not.toContain('not the password');
    advance(10_001);
    await expect(client.getToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(proxy.log.length - from).toBe(1);
  });

  it('fails at construction on misuse, naming the option', async () => {
    const base = {
      tokenUrl: `${proxy.url}/v2/token`,
      clientId: app.id,
      clientSecret: app.secret,
      username: USERNAME,
      password: PASSWORD,
    };
    expect(() => TokenClient.password({ ...base, username: '' })).toThrow(/username/);
    expect(() => TokenClient.password({ ...base, store: {} as never })).toThrow(/store/);
    expect(() => TokenClient.password({ ...base, tokenUrl: 'ftp://x' })).toThrow(/tokenUrl/);
    const client = TokenClient.password(base);
    await expect(client.getToken({ scope: 'other' })).rejects.toThrow(/fixed/);
  });
});
