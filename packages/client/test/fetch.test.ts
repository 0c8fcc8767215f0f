import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { TokenClient } from '../src/index.js';
import { type Api, type Loopback, sqlite, startApi, startProxy } from './helpers.js';

describe('fetch() against an API that accepts only the newest token', () => {
  let server: TestServer;
  let proxy: Loopback;
  let api: Api;
  let client: { id: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(sqlite());
    proxy = await startProxy(server.url);
    api = await startApi(() => proxy.newestToken);
    client = await server.client({ name: 'reader', scopes: ['meters:read'] });
  });
  afterAll(async () => {
    await api.close();
    await proxy.close();
    await server.close();
  });

  const tokenClient = () =>
    new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: client.id,
      clientSecret: client.secret,
    });
  /** Another application of the same client gets a token: ours is no longer the newest. */
  const supersede = () => tokenClient().getToken();

  it('sends the cached token as a Bearer header', async () => {
    const tokens = tokenClient();
    const seen = api.seen.length;
    const res = await tokens.fetch(`${api.url}/meters`, { headers: { accept: 'text/plain' } });
    expect(res.status).toBe(200);
    expect(api.seen.slice(seen)).toEqual([`Bearer ${await tokens.getToken()}`]);
  });

  it('renews once and retries once on a 401, replaying a string body', async () => {
    const tokens = tokenClient();
    const stale = await tokens.getToken();
    await supersede();
    const requests = proxy.requests;
    const seen = api.seen.length;
    const res = await tokens.fetch(`${api.url}/readings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"kwh":12.5}',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"kwh":12.5}');
    const fresh = await tokens.getToken();
    expect(fresh).not.toBe(stale);
    expect(api.seen.slice(seen)).toEqual([`Bearer ${stale}`, `Bearer ${fresh}`]);
    expect(proxy.requests - requests).toBe(1);
  });

  it('replays Uint8Array and URLSearchParams bodies, and Requests without a body', async () => {
    const bodies: Array<[Uint8Array | URLSearchParams, string]> = [
      [new TextEncoder().encode('bytes'), 'bytes'],
      [new URLSearchParams({ a: '1' }), 'a=1'],
    ];
    for (const [body, echoed] of bodies) {
      const tokens = tokenClient();
      await tokens.getToken();
      await supersede();
      const seen = api.seen.length;
      const res = await tokens.fetch(`${api.url}/x`, { method: 'POST', body });
      expect([res.status, await res.text(), api.seen.length - seen]).toEqual([200, echoed, 2]);
    }
    const tokens = tokenClient();
    await tokens.getToken();
    await supersede();
    const seen = api.seen.length;
    const res = await tokens.fetch(new Request(`${api.url}/x`));
    expect([res.status, api.seen.length - seen]).toEqual([200, 2]);
  });

  it('shares one renewal among concurrent 401s', async () => {
    const tokens = tokenClient();
    await tokens.getToken();
    await supersede();
    const requests = proxy.requests;
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => tokens.fetch(`${api.url}/x`).then((r) => r.status)),
    );
    expect(statuses).toEqual(Array(20).fill(200));
    expect(proxy.requests - requests).toBe(1);
  });

  it('returns the 401 as it came when the body is a stream', async () => {
    const tokens = tokenClient();
    await tokens.getToken();
    await supersede();
    const requests = proxy.requests;
    const seen = api.seen.length;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('once'));
        controller.close();
      },
    });
    const res = await tokens.fetch(`${api.url}/x`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(401);
    expect(api.seen.length - seen).toBe(1);
    expect(proxy.requests - requests).toBe(0);
  });

  it('retries only once: a second 401 is returned', async () => {
    const tokens = tokenClient();
    const never = await startApi(() => 'no token is good enough');
    try {
      const res = await tokens.fetch(`${never.url}/x`);
      expect(res.status).toBe(401);
      expect(never.seen.length).toBe(2);
    } finally {
      await never.close();
    }
  });
});
