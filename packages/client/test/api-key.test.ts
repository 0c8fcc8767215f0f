import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { TokenClient } from '../src/index.js';
import { sqlite, startVerifiedApi, type VerifiedApi } from './helpers.js';

describe('TokenClient.apiKey against an API verifying with gridkey', () => {
  let server: TestServer;
  let api: VerifiedApi;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer(sqlite());
    // RFC 7662: the resource server introspects API keys with a client of its own.
    const rs = await server.gk.clients.create({ name: 'energy-api', resourceServer: true });
    api = await startVerifiedApi(server, {
      introspection: { clientId: rs.client.clientId, clientSecret: rs.secret },
    });
    ({ key } = await server.gk.apiKeys.create({ name: 'partner', scopes: ['meters:read'] }));
  });
  afterAll(async () => {
    await api.close();
    await server.close();
  });

  it('sends the key as Bearer, and getToken is the key', async () => {
    const client = TokenClient.apiKey(key);
    expect(await client.getToken()).toBe(key);
    const res = await client.fetch(`${api.url}/meters`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'api_key' });
  });

  it('sends it as X-API-Key when asked to', async () => {
    const res = await TokenClient.apiKey(key, { header: 'x-api-key' }).fetch(`${api.url}/meters`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'api_key' });
  });

  it('returns a 401 as it came: there is nothing to renew', async () => {
    const client = TokenClient.apiKey(`${key.slice(0, -4)}AAAA`);
    const before = api.served;
    const res = await client.fetch(`${api.url}/meters`);
    expect(res.status).toBe(401);
    expect(api.served - before).toBe(1);
  });

  it('refuses a key that is no token, without echoing it', () => {
    expect(() => TokenClient.apiKey('')).toThrow(TypeError);
    let message = '';
    try {
      TokenClient.apiKey('gk_secret with space');
    } catch (err) {
      message = String(err);
    }
    expect(message).toMatch(/apiKey must be/);
    expect(message).not.toContain('gk_secret');
    expect(() => TokenClient.apiKey(key, { header: 'cookie' as never })).toThrow(/header/);
  });
});

describe('TokenClient.apiKey and redirects', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
  const serve = async (host: string, handler: Parameters<typeof createServer>[1]) => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, host, r));
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  };

  it('keeps an X-API-Key on its origin: a redirect elsewhere is returned, one at home followed', async () => {
    const reachedElsewhere: Array<string | undefined> = [];
    const elsewhere = await serve('127.0.0.2', (req, res) => {
      reachedElsewhere.push(req.headers['x-api-key'] as string | undefined);
      res.end('stolen');
    });
    const home = await serve('127.0.0.1', (req, res) => {
      if (req.url === '/away') res.writeHead(302, { location: `${elsewhere}/capture` }).end();
      else if (req.url === '/moved') res.writeHead(307, { location: '/meters' }).end();
      else res.end(req.headers['x-api-key'] === 'gk_test_key' ? 'key seen' : 'no key');
    });
    const client = TokenClient.apiKey('gk_test_key', { header: 'x-api-key' });
    const away = await client.fetch(`${home}/away`);
    expect(away.status).toBe(302);
    expect(away.headers.get('location')).toBe(`${elsewhere}/capture`);
    expect(reachedElsewhere).toEqual([]);
    const moved = await client.fetch(`${home}/moved`, { method: 'POST', body: 'reading' });
    expect(moved.status).toBe(200);
    expect(await moved.text()).toBe('key seen');
  });
});
