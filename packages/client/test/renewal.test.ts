import { describe, expect, it } from 'vitest';
import { TokenClient, type TokenClientEvent } from '../src/index.js';
import { gate, type Loopback, useGridkeyBehindProxy } from './helpers.js';

const LIFETIME_MS = 3600 * 1000; // gridkey's default expires_in

describe('renewal on an injected monotonic clock', () => {
  let proxy: Loopback;
  let client: { id: string; secret: string };

  useGridkeyBehindProxy((fx) => {
    ({ proxy, client } = fx);
  });

  function setup() {
    let t = 1_000_000;
    const events: TokenClientEvent[] = [];
    let notify: (() => void) | undefined;
    const tokens = new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: client.id,
      clientSecret: client.secret,
      retry: { maxAttempts: 1 },
      now: () => t,
      onEvent: (e) => {
        events.push(e);
        notify?.();
      },
    });
    const settled = () =>
      new Promise<void>((resolve) => {
        notify = resolve;
      });
    return { tokens, events, settled, advance: (ms: number) => (t += ms) };
  }

  it('renews in the background at 80 % of the lifetime while callers get the current token', async () => {
    const { tokens, events, settled, advance } = setup();
    const before = proxy.requests;
    const first = await tokens.getToken();
    advance(LIFETIME_MS * 0.7);
    expect(await tokens.getToken()).toBe(first);
    expect(proxy.requests - before).toBe(1);

    // Past 80 %: the renewal request is held by the proxy, yet callers are answered.
    advance(LIFETIME_MS * 0.11);
    const held = gate();
    proxy.script = [{ hold: held.promise, answer: 'proxy' }];
    const renewed = settled();
    const during = await Promise.all(Array.from({ length: 50 }, () => tokens.getToken()));
    expect(new Set(during)).toEqual(new Set([first]));
    await proxy.received(before + 2);
    expect(proxy.requests - before).toBe(2); // one background request, not fifty
    held.open();
    await renewed;

    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    expect(second).toBe(proxy.newestToken);
    expect(proxy.requests - before).toBe(2);
    expect(events.map((e) => [e.type, e.type === 'retry_scheduled' || e.background])).toEqual([
      ['renewed', false],
      ['renewed', true],
    ]);
  });

  it('keeps serving a valid token when a background renewal fails, and waits only once it expired', async () => {
    const { tokens, events, settled, advance } = setup();
    const before = proxy.requests;
    const first = await tokens.getToken();

    advance(LIFETIME_MS * 0.85);
    proxy.script = [{ status: 503 }];
    const failed = settled();
    expect(await tokens.getToken()).toBe(first);
    await failed;
    expect(events.at(-1)).toMatchObject({ type: 'failed', background: true, code: 'exhausted' });
    expect(proxy.requests - before).toBe(2);

    // Not poisoned: the valid token is still served, and no request is made on every call.
    expect(await tokens.getToken()).toBe(first);
    expect(await tokens.getToken()).toBe(first);
    expect(proxy.requests - before).toBe(2);

    // A while later the renewal is tried again, still in the background.
    advance(LIFETIME_MS * 0.05);
    const renewed = settled();
    expect(await tokens.getToken()).toBe(first);
    await renewed;
    expect(events.at(-1)).toMatchObject({ type: 'renewed', background: true });
    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    expect(proxy.requests - before).toBe(3);
  });

  it('makes callers wait, in one request, once the token has expired', async () => {
    const { tokens, advance } = setup();
    const before = proxy.requests;
    const first = await tokens.getToken();
    advance(LIFETIME_MS + 1);
    const after = await Promise.all(Array.from({ length: 100 }, () => tokens.getToken()));
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(first);
    expect(proxy.requests - before).toBe(2);
  });

  it('honours a configured renewAt share', async () => {
    let t = 0;
    const before = proxy.requests;
    const renewals: boolean[] = [];
    let renewed!: () => void;
    const backgroundDone = new Promise<void>((resolve) => {
      renewed = resolve;
    });
    const tokens = new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: client.id,
      clientSecret: client.secret,
      renewAt: 0.5,
      now: () => t,
      onEvent: (e) => {
        if (e.type !== 'renewed') return;
        renewals.push(e.background);
        if (e.background) renewed();
      },
    });
    await tokens.getToken();
    t = LIFETIME_MS * 0.44;
    await tokens.getToken();
    expect(proxy.requests - before).toBe(1);
    t = LIFETIME_MS * 0.51;
    await tokens.getToken();
    await backgroundDone;
    expect(proxy.requests - before).toBe(2);
    expect(renewals).toEqual([false, true]);
  });

  it('close() waits for a renewal in flight, then starts none', async () => {
    const { tokens, events, advance } = setup();
    const first = await tokens.getToken();
    const held = gate();
    proxy.script = [{ hold: held.promise, answer: 'proxy' }];
    const requests = proxy.requests;
    advance(LIFETIME_MS * 0.81);
    expect(await tokens.getToken()).toBe(first); // starts the background renewal
    await proxy.received(requests + 1);
    let closed = false;
    const closing = tokens.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    held.open();
    await closing;
    expect(events.at(-1)).toMatchObject({ type: 'renewed', background: true });
    const renewed = await tokens.getToken(); // still served from the cache
    expect(renewed).not.toBe(first);
    advance(LIFETIME_MS); // expired: a closed client asks for no other
    await expect(tokens.getToken()).rejects.toThrow('the TokenClient is closed');
    expect(proxy.requests - requests).toBe(1);
  });
});
