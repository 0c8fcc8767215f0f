/**
 * Store contract: clients and API keys, on every store target. The tests
 * share one store and keep to ids of their own.
 */
import { describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  apiKey,
  bareClient,
  client,
  eventsSince,
  only,
  RACERS,
  revocationCursor,
  T,
  uid,
  useStore,
} from './store-contract-helpers.js';

describe.each(storeTargets())('store contract: clients on $kind', (target) => {
  const store = useStore(target);

  it('round-trips every field of a client, set', async () => {
    const c = client();
    await store().clients.insert(c);
    expect(await store().clients.findById(c.clientId)).toEqual(c);
  });

  it('round-trips empty lists, nulls and false', async () => {
    const c = bareClient();
    await store().clients.insert(c);
    expect(await store().clients.findById(c.clientId)).toEqual(c);
  });

  it('finds no unknown client', async () => {
    expect(await store().clients.findById(uid('nobody'))).toBeUndefined();
  });

  it('refuses a second client with the same id, keeping the first', async () => {
    const c = client();
    await store().clients.insert(c);
    await expect(store().clients.insert({ ...c, name: 'impostor' })).rejects.toThrow();
    expect((await store().clients.findById(c.clientId))?.name).toBe(c.name);
  });

  it('lists by created_at, then by id within the same second', async () => {
    const p = uid('order');
    const ids = [`${p}-c`, `${p}-a`, `${p}-b`];
    await store().clients.insert(client({ clientId: `${p}-z`, createdAt: T - 5 }));
    for (const clientId of ids) await store().clients.insert(client({ clientId, createdAt: T }));
    await store().clients.insert(client({ clientId: `${p}-0`, createdAt: T + 5 }));
    const listed = only(await store().clients.list(), (c) => c.clientId, [
      ...ids,
      `${p}-z`,
      `${p}-0`,
    ]);
    expect(listed.map((c) => c.clientId)).toEqual([
      `${p}-z`,
      `${p}-a`,
      `${p}-b`,
      `${p}-c`,
      `${p}-0`,
    ]);
    // Whole records, not only ids.
    expect(listed[1]).toEqual(client({ clientId: `${p}-a`, createdAt: T }));
  });

  it('updates the secret hash and updated_at only; false for an unknown client', async () => {
    const c = client();
    await store().clients.insert(c);
    expect(await store().clients.updateSecretHash(c.clientId, 'new-hash', T + 50)).toBe(true);
    expect(await store().clients.findById(c.clientId)).toEqual({
      ...c,
      secretHash: 'new-hash',
      updatedAt: T + 50,
    });
    expect(await store().clients.updateSecretHash(uid('nobody'), 'h', T)).toBe(false);
  });

  it('updates only the policy fields given, null clearing one', async () => {
    const c = client();
    await store().clients.insert(c);
    expect(
      await store().clients.updatePolicy(c.clientId, { tokenBudgetPerMinute: 7 }, T + 10),
    ).toBe(true);
    expect(await store().clients.findById(c.clientId)).toEqual({
      ...c,
      tokenBudgetPerMinute: 7,
      updatedAt: T + 10,
    });
    expect(
      await store().clients.updatePolicy(
        c.clientId,
        { tokenBudgetPerMinute: null, reuseTokens: false, deprecatedAt: null, sunsetAt: T + 999 },
        T + 20,
      ),
    ).toBe(true);
    expect(await store().clients.findById(c.clientId)).toEqual({
      ...c,
      tokenBudgetPerMinute: null,
      reuseTokens: false,
      deprecatedAt: null,
      sunsetAt: T + 999,
      updatedAt: T + 20,
    });
    // An empty update touches updated_at only.
    expect(await store().clients.updatePolicy(c.clientId, {}, T + 30)).toBe(true);
    expect((await store().clients.findById(c.clientId))?.sunsetAt).toBe(T + 999);
    expect((await store().clients.findById(c.clientId))?.updatedAt).toBe(T + 30);
    // Setting values back on from null.
    await store().clients.updatePolicy(c.clientId, { reuseTokens: true, deprecatedAt: T }, T + 40);
    const after = await store().clients.findById(c.clientId);
    expect([after?.reuseTokens, after?.deprecatedAt]).toEqual([true, T]);
  });

  it('answers false to a policy update of an unknown client', async () => {
    expect(await store().clients.updatePolicy(uid('nobody'), { reuseTokens: true }, T)).toBe(false);
  });

  it('records use with touch; touching an unknown client creates nothing', async () => {
    const c = bareClient();
    await store().clients.insert(c);
    await store().clients.touch(c.clientId, T + 77);
    expect(await store().clients.findById(c.clientId)).toEqual({ ...c, lastUsedAt: T + 77 });
    const ghost = uid('ghost');
    await store().clients.touch(ghost, T);
    expect(await store().clients.findById(ghost)).toBeUndefined();
  });

  it('deletes a client once: true, then false', async () => {
    const c = client();
    const other = client();
    await store().clients.insert(c);
    await store().clients.insert(other);
    expect(await store().clients.delete(c.clientId)).toBe(true);
    expect(await store().clients.findById(c.clientId)).toBeUndefined();
    expect(await store().clients.findById(other.clientId)).toEqual(other);
    expect(await store().clients.delete(c.clientId)).toBe(false);
  });
});

describe.each(storeTargets())('store contract: API keys on $kind', (target) => {
  const store = useStore(target);

  it('round-trips every field, expiry set or null, and finds by hash only', async () => {
    const k = apiKey();
    const forever = apiKey({ expiresAt: null, scopes: [] });
    await store().apiKeys.insert(k);
    await store().apiKeys.insert(forever);
    expect(await store().apiKeys.findByHash(k.keyHash)).toEqual(k);
    expect(await store().apiKeys.findByHash(forever.keyHash)).toEqual(forever);
    expect(await store().apiKeys.findByHash(k.id)).toBeUndefined();
    expect(await store().apiKeys.findByHash(uid('hash'))).toBeUndefined();
  });

  it('lists by created_at, then by id within the same second', async () => {
    const p = uid('order');
    await store().apiKeys.insert(apiKey({ id: `${p}-z`, createdAt: T - 1 }));
    for (const s of ['b', 'c', 'a']) await store().apiKeys.insert(apiKey({ id: `${p}-${s}` }));
    const ids = ['z', 'a', 'b', 'c'].map((s) => `${p}-${s}`);
    const listed = only(await store().apiKeys.list(), (k) => k.id, ids);
    expect(listed.map((k) => k.id)).toEqual(ids);
    expect(listed[1]).toEqual(apiKey({ id: `${p}-a` }));
  });

  it('revokes once, telling the feed; then already_revoked with nothing new', async () => {
    const k = apiKey();
    await store().apiKeys.insert(k);
    const cursor = await store().tokenEvents.lastCursor();
    const revCursor = await revocationCursor(store());
    expect(await store().apiKeys.revoke(k.id, T + 10)).toBe('revoked');
    expect(await store().apiKeys.findByHash(k.keyHash)).toEqual({ ...k, revokedAt: T + 10 });
    const events = await eventsSince(store(), cursor);
    expect(events).toEqual([
      {
        seq: expect.any(Number),
        type: 'api_key.revoked',
        keyId: k.id,
        at: T + 10,
        exp: T + 10 + 86_400,
      },
    ]);
    expect(await store().tokenEvents.lastCursor()).toBe(events[0]?.seq);
    // An API key is no JWT: nothing goes into the jti revocation list.
    expect(await revocationCursor(store())).toBe(revCursor);

    expect(await store().apiKeys.revoke(k.id, T + 20)).toBe('already_revoked');
    expect((await store().apiKeys.findByHash(k.keyHash))?.revokedAt).toBe(T + 10);
    expect(await eventsSince(store(), cursor)).toHaveLength(1);
  });

  it('answers not_found for an unknown key, telling the feed nothing', async () => {
    const cursor = await store().tokenEvents.lastCursor();
    expect(await store().apiKeys.revoke(uid('nokey'), T)).toBe('not_found');
    expect(await store().tokenEvents.lastCursor()).toBe(cursor);
  });

  it('of concurrent revocations of one key, exactly one revokes', async () => {
    const k = apiKey();
    await store().apiKeys.insert(k);
    const cursor = await store().tokenEvents.lastCursor();
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => store().apiKeys.revoke(k.id, T + i)),
    );
    expect(results.filter((r) => r === 'revoked')).toHaveLength(1);
    expect(results.filter((r) => r === 'already_revoked')).toHaveLength(RACERS - 1);
    const events = await eventsSince(store(), cursor);
    expect(events.map((e) => e.type)).toEqual(['api_key.revoked']);
    // The stored time is the winner's, and the event says the same.
    const revokedAt = (await store().apiKeys.findByHash(k.keyHash))?.revokedAt;
    expect(revokedAt).toBe(events[0]?.at);
  });

  it('records use with touch, also on a revoked key; unknown ids are ignored', async () => {
    const k = apiKey();
    await store().apiKeys.insert(k);
    await store().apiKeys.touch(k.id, T + 5);
    expect((await store().apiKeys.findByHash(k.keyHash))?.lastUsedAt).toBe(T + 5);
    await store().apiKeys.revoke(k.id, T + 6);
    await store().apiKeys.touch(k.id, T + 7);
    expect(await store().apiKeys.findByHash(k.keyHash)).toEqual({
      ...k,
      lastUsedAt: T + 7,
      revokedAt: T + 6,
    });
    await expect(store().apiKeys.touch(uid('nokey'), T)).resolves.toBeUndefined();
  });
});
