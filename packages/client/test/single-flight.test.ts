import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { TokenClient, type TokenClientEvent, TokenRequestError } from '../src/index.js';
import { type Loopback, sqlite, startProxy } from './helpers.js';

describe('getToken against gridkey', () => {
  let server: TestServer;
  let proxy: Loopback;
  let reader: { id: string; secret: string };
  let poster: { id: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(sqlite());
    proxy = await startProxy(server.url);
    reader = await server.client({ name: 'reader', scopes: ['meters:read', 'readings:read'] });
    poster = await server.client({
      name: 'poster',
      scopes: ['readings:read'],
      authMethod: 'client_secret_post',
    });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('answers 1000 concurrent calls with one token request', async () => {
    const before = proxy.requests;
    const events: TokenClientEvent[] = [];
    const client = new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: reader.id,
      clientSecret: reader.secret,
      onEvent: (e) => events.push(e),
    });
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => client.getToken()));
    expect(proxy.requests - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toBe(proxy.newestToken);
    expect(events.map((e) => e.type)).toEqual(['renewed']);
    // Cached: later calls send nothing either.
    await client.getToken();
    expect(proxy.requests - before).toBe(1);
  });

  it('keeps one cache entry per (scope, audience)', async () => {
    const before = proxy.requests;
    const client = new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: reader.id,
      clientSecret: reader.secret,
      scope: 'meters:read',
    });
    const [a, b, c] = await Promise.all([
      client.getToken(),
      client.getToken({ scope: ['readings:read'] }),
      client.getToken({ scope: 'meters:read' }),
    ]);
    expect(proxy.requests - before).toBe(2);
    expect(a).toBe(c);
    expect(a).not.toBe(b);
    const claims = (t: string) =>
      JSON.parse(Buffer.from(t.split('.')[1] ?? '', 'base64url').toString()) as { scope: string };
    expect(claims(a).scope).toBe('meters:read');
    expect(claims(b).scope).toBe('readings:read');
  });

  it('authenticates with client_secret_post', async () => {
    const client = new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: poster.id,
      clientSecret: poster.secret,
      auth: 'client_secret_post',
    });
    expect(await client.getToken()).toMatch(/^ey/);
  });

  it('fails a bad secret at once, with one request and a typed error free of secrets', async () => {
    const before = proxy.requests;
    const events: TokenClientEvent[] = [];
    const secret = `${reader.secret}-wrong`;
    let now = 0;
    const client = new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: reader.id,
      clientSecret: secret,
      retry: { baseDelayMs: 1 },
      onEvent: (e) => events.push(e),
      now: () => now,
    });
    const err = await client.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRequestError);
    expect(err).toMatchObject({
      code: 'refused',
      status: 401,
      error: 'invalid_client',
      attempts: 1,
    });
    expect(proxy.requests - before).toBe(1);
    const everything = JSON.stringify([String(err), (err as Error).stack, events]);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(reader.secret);
    expect(events).toEqual([
      {
        type: 'failed',
        scope: undefined,
        audience: undefined,
        background: false,
        code: 'refused',
        status: 401,
        error: 'invalid_client',
      },
    ]);
    // The refusal is held for 10 s: calls meanwhile fail with it, unsent,
    // so that a bad secret asked for on every call is no storm either.
    await expect(client.getToken()).rejects.toBe(err);
    expect(proxy.requests - before).toBe(1);
    // Then it is not cached: the next call asks again.
    now += 10_001;
    await expect(client.getToken()).rejects.toMatchObject({ code: 'refused' });
    expect(proxy.requests - before).toBe(2);
  });

  it('fails an audience the client may not have at once, with its OAuth error code', async () => {
    const before = proxy.requests;
    const client = new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: reader.id,
      clientSecret: reader.secret,
      audience: 'https://not-registered.example.test',
    });
    await expect(client.getToken()).rejects.toMatchObject({
      code: 'refused',
      status: 400,
      error: 'invalid_target',
    });
    expect(proxy.requests - before).toBe(1);
  });
});
