import { describe, expect, it } from 'vitest';
import { TokenClient, type TokenClientEvent } from '../src/index.js';
import { gate, type Loopback, useGridkeyBehindProxy } from './helpers.js';

describe('aborting getToken()', () => {
  let proxy: Loopback;
  let client: { id: string; secret: string };

  useGridkeyBehindProxy((fx) => {
    ({ proxy, client } = fx);
  });

  const tokenClient = (onEvent: (e: TokenClientEvent) => void = () => {}) =>
    new TokenClient({
      tokenUrl: `${proxy.url}/oauth2/token`,
      clientId: client.id,
      clientSecret: client.secret,
      // A backoff far longer than any test: only the abort can end it.
      retry: { baseDelayMs: 600_000, maxDelayMs: 600_000, maxElapsedMs: 3_600_000 },
      onEvent,
    });

  it('rejects at once with a signal already aborted, sending nothing', async () => {
    const requests = proxy.requests;
    const reason = new Error('shutting down');
    await expect(tokenClient().getToken({ signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    expect(proxy.requests - requests).toBe(0);
  });

  it('stops a backoff wait, and sends no further request', async () => {
    const requests = proxy.requests;
    const events: TokenClientEvent[] = [];
    let scheduled!: () => void;
    const retryScheduled = new Promise<void>((resolve) => {
      scheduled = resolve;
    });
    const tokens = tokenClient((e) => {
      events.push(e);
      if (e.type === 'retry_scheduled') scheduled();
    });
    // A Retry-After of ten minutes: only the abort can end the wait.
    proxy.script = [{ status: 503, headers: { 'retry-after': '600' } }];
    const controller = new AbortController();
    const outcome = tokens.getToken({ signal: controller.signal }).catch((e: unknown) => e);
    await retryScheduled;
    controller.abort();
    expect(await outcome).toMatchObject({ name: 'AbortError' });
    await Promise.resolve();
    expect(events.map((e) => e.type)).toEqual(['retry_scheduled', 'failed']);
    expect(events[1]).toMatchObject({ code: 'aborted', background: false });
    proxy.script = [];
    // Nothing is cached or stuck: the next call gets a token.
    const token = await tokens.getToken();
    expect(token).toBe(proxy.newestToken);
    expect(proxy.requests - requests).toBe(2);
  });

  it('stops a request in flight once its only caller aborts', async () => {
    const requests = proxy.requests;
    const held = gate();
    proxy.script = [{ hold: held.promise, answer: { status: 503 } }];
    const controller = new AbortController();
    const tokens = tokenClient();
    const pending = tokens.getToken({ signal: controller.signal });
    await proxy.received(requests + 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    held.open();
    expect(proxy.requests - requests).toBe(1);
  });

  it('starts afresh for a caller arriving after every caller of a request left', async () => {
    const requests = proxy.requests;
    const held = gate();
    proxy.script = [{ hold: held.promise, answer: { status: 503 } }];
    const tokens = tokenClient();
    const controller = new AbortController();
    const leaving = tokens.getToken({ signal: controller.signal });
    await proxy.received(requests + 1);
    controller.abort();
    await expect(leaving).rejects.toMatchObject({ name: 'AbortError' });
    // The abandoned request has not settled yet; a newcomer is not handed its abort.
    const newcomer = tokens.getToken();
    held.open();
    expect(await newcomer).toMatch(/^ey/);
    expect(proxy.requests - requests).toBe(2);
  });

  it('lets the shared request go on for callers that did not abort', async () => {
    const requests = proxy.requests;
    const held = gate();
    proxy.script = [{ hold: held.promise, answer: 'proxy' }];
    const tokens = tokenClient();
    const controller = new AbortController();
    const leaving = tokens.getToken({ signal: controller.signal });
    const staying = tokens.getToken({ signal: new AbortController().signal });
    const patient = tokens.getToken();
    await proxy.received(requests + 1);
    controller.abort();
    await expect(leaving).rejects.toMatchObject({ name: 'AbortError' });
    held.open();
    const [a, b] = await Promise.all([staying, patient]);
    expect(a).toBe(b);
    expect(proxy.requests - requests).toBe(1);
  });
});
