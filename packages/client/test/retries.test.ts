import { describe, expect, it } from 'vitest';
import { freePort } from '../../../test/helpers/ports.js';
import { TokenClient, type TokenClientEvent, TokenRequestError } from '../src/index.js';
import { backoffDelay } from '../src/lib/backoff.js';
import { parseRetryAfter } from '../src/lib/retry-after.js';
import { type Loopback, useGridkeyBehindProxy } from './helpers.js';

describe('retries against gridkey behind a scripted proxy', () => {
  let proxy: Loopback;
  let client: { id: string; secret: string };

  useGridkeyBehindProxy((fx) => {
    ({ proxy, client } = fx);
  });

  const tokenClient = (events: TokenClientEvent[], retry: Record<string, number> = {}) =>
    new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: client.id,
      clientSecret: client.secret,
      retry: { baseDelayMs: 5, maxDelayMs: 20, ...retry },
      onEvent: (e) => events.push(e),
    });

  it('waits out a 429 Retry-After in seconds, then gets the token', async () => {
    const before = proxy.requests;
    const events: TokenClientEvent[] = [];
    proxy.script = [{ status: 429, headers: { 'retry-after': '1' } }];
    const token = await tokenClient(events).getToken();
    expect(token).toBe(proxy.newestToken);
    expect(proxy.requests - before).toBe(2);
    expect(events).toEqual([
      {
        type: 'retry_scheduled',
        scope: undefined,
        audience: undefined,
        attempt: 1,
        delayMs: 1000,
        status: 429,
        reason: 'rate_limited',
      },
      expect.objectContaining({ type: 'renewed', attempts: 2, background: false }),
    ]);
  });

  it('waits out a 429 Retry-After given as an HTTP date', async () => {
    const before = proxy.requests;
    const events: TokenClientEvent[] = [];
    const at = new Date(Date.now() + 1000).toUTCString();
    proxy.script = [{ status: 429, headers: { 'retry-after': at } }];
    await tokenClient(events).getToken();
    expect(proxy.requests - before).toBe(2);
    const retry = events[0];
    expect(retry).toMatchObject({ type: 'retry_scheduled', reason: 'rate_limited', status: 429 });
    expect(retry?.type === 'retry_scheduled' && retry.delayMs <= 1000).toBe(true);
  });

  it('fails at once when Retry-After outlasts the time budget, and sends nothing until then', async () => {
    const before = proxy.requests;
    const events: TokenClientEvent[] = [];
    proxy.script = [{ status: 429, headers: { 'retry-after': '3600' } }];
    let now = 0;
    const tokens = new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: client.id,
      clientSecret: client.secret,
      retry: { maxElapsedMs: 10_000 },
      onEvent: (e) => events.push(e),
      now: () => now,
    });
    const err = await tokens.getToken().catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'exhausted',
      status: 429,
      attempts: 1,
      retryAfterMs: 3_600_000,
    });
    expect(proxy.requests - before).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['failed']);
    // The server asked for an hour: calls within it fail unsent.
    now += 3_599_000;
    await expect(tokens.getToken()).rejects.toBe(err);
    expect(proxy.requests - before).toBe(1);
    now += 1_000;
    expect(await tokens.getToken()).toMatch(/^ey/);
    expect(proxy.requests - before).toBe(2);
  });

  it('does not follow a redirect of the token endpoint, nor retry it', async () => {
    const before = proxy.requests;
    proxy.script = [{ status: 302, headers: { location: 'http://127.0.0.2:9/steal' } }];
    await expect(tokenClient([]).getToken()).rejects.toMatchObject({
      code: 'unexpected_status',
      status: 302,
      attempts: 1,
    });
    expect(proxy.requests - before).toBe(1);
  });

  it('backs off through two 503s, then gets the token', async () => {
    const before = proxy.requests;
    const events: TokenClientEvent[] = [];
    proxy.script = [{ status: 503 }, { status: 503 }];
    const token = await tokenClient(events).getToken();
    expect(token).toBe(proxy.newestToken);
    expect(proxy.requests - before).toBe(3);
    expect(
      events.map((e) => [
        e.type,
        e.type === 'retry_scheduled' ? e.attempt : e.type === 'renewed' ? e.attempts : -1,
      ]),
    ).toEqual([
      ['retry_scheduled', 1],
      ['retry_scheduled', 2],
      ['renewed', 3],
    ]);
    expect(events.slice(0, 2)).toEqual([
      expect.objectContaining({ status: 503, reason: 'server_error' }),
      expect.objectContaining({ status: 503, reason: 'server_error' }),
    ]);
  });

  it('gives up after maxAttempts 5xx answers with an exhausted error', async () => {
    const before = proxy.requests;
    const events: TokenClientEvent[] = [];
    proxy.script = [{ status: 500 }, { status: 502 }, { status: 503 }, 'proxy'];
    const err = await tokenClient(events, { maxAttempts: 3 })
      .getToken()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRequestError);
    expect(err).toMatchObject({ code: 'exhausted', status: 503, attempts: 3 });
    expect(proxy.requests - before).toBe(3);
    expect(events.map((e) => e.type)).toEqual(['retry_scheduled', 'retry_scheduled', 'failed']);
    proxy.script = [];
  });

  it('retries network errors, bounded in attempts', async () => {
    const events: TokenClientEvent[] = [];
    const closed = await freePort();
    const offline = new TokenClient({
      tokenUrl: `http://127.0.0.1:${closed}/oauth2/token`,
      clientId: client.id,
      clientSecret: client.secret,
      retry: { maxAttempts: 3, baseDelayMs: 5 },
      onEvent: (e) => events.push(e),
    });
    const err = await offline.getToken().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'exhausted', status: undefined, attempts: 3 });
    expect(String(err)).not.toContain(client.secret);
    expect(events.map((e) => [e.type, 'reason' in e ? e.reason : undefined])).toEqual([
      ['retry_scheduled', 'network_error'],
      ['retry_scheduled', 'network_error'],
      ['failed', undefined],
    ]);
  });
});

describe('retry arithmetic', () => {
  it('reads Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3)', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('draws full-jitter backoff below a doubling, capped ceiling', () => {
    const policy = { maxAttempts: 10, maxElapsedMs: 1e6, baseDelayMs: 100, maxDelayMs: 1000 };
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, top))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });
});
