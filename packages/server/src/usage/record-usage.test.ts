import { afterEach, describe, expect, it, vi } from 'vitest';
import { GridkeyEventBus } from '../events.js';
import { steppingClock, temporaryStore } from '../lib/unit-fixtures.test-helper.js';
import { recordUsage } from './record-usage.js';

const T = 1_799_971_200; // 2027-01-15T00:00:00Z

async function setup(flushIntervalMs = 3_600_000) {
  const store = await temporaryStore();
  const events = new GridkeyEventBus();
  const usage = recordUsage({
    events,
    store: store.usage,
    clock: steppingClock(T),
    flushIntervalMs,
    onFlushError: (err) => {
      throw err;
    },
  });
  const day = async () =>
    (await store.usage.list({ granularity: 'day', from: T, to: T + 86400 })).map(
      (r) => `${r.kind}:${r.id} ${r.metric}=${r.count}`,
    );
  return { store, events, usage, day };
}

describe('recording usage from the core’s events', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('counts issued tokens, refusals of known clients and credential uses; stop writes them', async () => {
    const { store, events, usage, day } = await setup();
    dispose = store.dispose;
    const issued = { grantType: 'client_credentials', jti: 'j', kind: 'access_token' } as const;
    events.emit('token.issued', { ...issued, clientId: 'a' });
    events.emit('token.issued', { ...issued, clientId: 'a' });
    events.emit('token.issued', { ...issued, clientId: 'b' });
    events.emit('token.request_failed', {
      grantType: 'client_credentials',
      clientId: 'a',
      error: 'too_many_requests',
    });
    // Refused before any client was known: nobody to count it for.
    events.emit('token.request_failed', { grantType: 'other', error: 'invalid_request' });
    events.emit('client.authentication_failed', { clientId: 'b' });
    events.emit('credential.used', { kind: 'api_key', id: 'k' });
    events.emit('credential.used', { kind: 'pat', id: 'p' });
    expect(await day()).toEqual([]);
    await usage.stop();
    expect(await day()).toEqual([
      'api_key:k uses=1',
      'client:a refused.too_many_requests=1',
      'client:a tokens_issued=2',
      'client:b refused.invalid_client=1',
      'client:b tokens_issued=1',
      'pat:p uses=1',
    ]);
    // Stopped: no longer listening.
    events.emit('token.issued', { ...issued, clientId: 'a' });
    expect(usage.tally.pendingCount).toBe(0);
  });

  it('flushes on its own every interval', async () => {
    const { store, events, usage, day } = await setup(20);
    dispose = async () => {
      await usage.stop();
      await store.dispose();
    };
    events.emit('credential.used', { kind: 'pat', id: 'p' });
    await vi.waitFor(async () => expect(await day()).toEqual(['pat:p uses=1']), {
      timeout: 2000,
      interval: 10,
    });
  });
});
