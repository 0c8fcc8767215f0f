/**
 * Store contract: login tokens (and their exchanges) and PATs, on every
 * store target.
 *
 * The per-login-token exchange budget is not the store's: it is a limiter
 * (`exchangeLimits().successes` in limits/exchange-limits.ts). The
 * store's promise is the conditional write: an exchange is recorded only
 * while the login token is live, and a revocation reaches every recorded one.
 */
import { describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import type { LoginTokenRecord, PatRecord } from '../../src/store/types.js';
import {
  eventsSince,
  only,
  pat,
  RACERS,
  revocationCursor,
  revokedJtisSince,
  signingKey,
  T,
  uid,
  useStore,
} from './store-contract-helpers.js';

const loginToken = (over: Partial<Omit<LoginTokenRecord, 'id'>> = {}) => ({
  customerUuid: uid('customer'),
  subjectUuid: uid('subject'),
  tokenHash: uid('hash'),
  scopes: ['meter:read', 'tariff:read'],
  createdAt: T,
  expiresAt: (T + 3600) as number | null,
  ...over,
});

describe.each(storeTargets())('store contract: login tokens on $kind', (target) => {
  const store = useStore(target);

  it('assigns increasing ids and round-trips every field, by id and by hash', async () => {
    const input = loginToken();
    const forever = loginToken({ expiresAt: null, scopes: [] });
    const a = await store().loginTokens.insert(input);
    const b = await store().loginTokens.insert(forever);
    expect(a).toEqual({ ...input, id: expect.any(Number), revokedAt: null, lastUsedAt: null });
    expect(b.id).toBeGreaterThan(a.id);
    expect(await store().loginTokens.findById(a.id)).toEqual(a);
    expect(await store().loginTokens.findByHash(input.tokenHash)).toEqual(a);
    expect(await store().loginTokens.findById(b.id)).toEqual({
      ...forever,
      id: b.id,
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(await store().loginTokens.findById(b.id + 1000)).toBeUndefined();
    expect(await store().loginTokens.findByHash(uid('hash'))).toBeUndefined();
  });

  it('refuses a second login token with the same hash', async () => {
    const input = loginToken();
    await store().loginTokens.insert(input);
    await expect(
      store().loginTokens.insert(loginToken({ tokenHash: input.tokenHash })),
    ).rejects.toThrow();
  });

  it('lists by id, filtered by customer', async () => {
    const customerUuid = uid('customer');
    // Created out of time order: the list follows ids.
    const a = await store().loginTokens.insert(loginToken({ customerUuid, createdAt: T + 9 }));
    const other = await store().loginTokens.insert(loginToken());
    const b = await store().loginTokens.insert(loginToken({ customerUuid, createdAt: T }));
    expect(await store().loginTokens.list({ customerUuid })).toEqual([a, b]);
    const all = await store().loginTokens.list();
    expect(
      only(
        all,
        (t) => String(t.id),
        [a, other, b].map((t) => String(t.id)),
      ),
    ).toEqual([a, other, b]);
    const ids = all.map((t) => t.id);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    expect(await store().loginTokens.list({ customerUuid: uid('nobody') })).toEqual([]);
  });

  it('records an exchange of a live token, using it; revocation then reaches the jti', async () => {
    const t = await store().loginTokens.insert(loginToken());
    const jti = uid('jti');
    expect(
      await store().loginTokens.recordExchange({ id: t.id, jti, exp: T + 300, now: T + 5 }),
    ).toBe(true);
    expect((await store().loginTokens.findById(t.id))?.lastUsedAt).toBe(T + 5);
    const stale = uid('jti');
    await store().loginTokens.recordExchange({ id: t.id, jti: stale, exp: T + 8, now: T + 6 });
    const cursor = await store().tokenEvents.lastCursor();
    const revCursor = await revocationCursor(store());

    expect(await store().loginTokens.revoke(t.id, T + 10)).toBe('revoked');

    expect((await store().loginTokens.findById(t.id))?.revokedAt).toBe(T + 10);
    // The live derived token goes into the feed; one expired by now does not.
    expect(await revokedJtisSince(store(), revCursor)).toEqual([jti]);
    expect(await eventsSince(store(), cursor)).toEqual([
      { seq: expect.any(Number), type: 'access_token.revoked', jti, at: T + 10, exp: T + 300 },
    ]);
  });

  it('records no exchange of a revoked, expired or unknown login token', async () => {
    const revoked = await store().loginTokens.insert(loginToken());
    await store().loginTokens.revoke(revoked.id, T);
    const expiring = await store().loginTokens.insert(loginToken({ expiresAt: T + 100 }));
    const forever = await store().loginTokens.insert(loginToken({ expiresAt: null }));
    const exchange = (id: number, now: number) =>
      store().loginTokens.recordExchange({ id, jti: uid('jti'), exp: now + 300, now });

    expect(await exchange(revoked.id, T + 1)).toBe(false);
    expect((await store().loginTokens.findById(revoked.id))?.lastUsedAt).toBeNull();
    expect(await exchange(expiring.id, T + 99)).toBe(true);
    // Expired at its expiresAt.
    expect(await exchange(expiring.id, T + 100)).toBe(false);
    expect((await store().loginTokens.findById(expiring.id))?.lastUsedAt).toBe(T + 99);
    expect(await exchange(forever.id, T + 10_000_000)).toBe(true);
    expect(await exchange(forever.id + 10_000, T)).toBe(false);
  });

  it('records nothing for a refused exchange: a later revocation names no such jti', async () => {
    const t = await store().loginTokens.insert(loginToken({ expiresAt: T + 10 }));
    const jti = uid('jti');
    expect(
      await store().loginTokens.recordExchange({ id: t.id, jti, exp: T + 300, now: T + 20 }),
    ).toBe(false);
    const revCursor = await revocationCursor(store());
    await store().loginTokens.revoke(t.id, T + 30);
    expect(await revokedJtisSince(store(), revCursor)).toEqual([]);
  });

  it('revokes once: then already_revoked with nothing new; not_found for an unknown id', async () => {
    const t = await store().loginTokens.insert(loginToken());
    await store().loginTokens.recordExchange({ id: t.id, jti: uid('jti'), exp: T + 300, now: T });
    expect(await store().loginTokens.revoke(t.id, T + 1)).toBe('revoked');
    const cursor = await store().tokenEvents.lastCursor();
    expect(await store().loginTokens.revoke(t.id, T + 2)).toBe('already_revoked');
    expect((await store().loginTokens.findById(t.id))?.revokedAt).toBe(T + 1);
    expect(await store().tokenEvents.lastCursor()).toBe(cursor);
    expect(await store().loginTokens.revoke(t.id + 10_000, T)).toBe('not_found');
  });

  it('of concurrent revocations, exactly one revokes', async () => {
    const t = await store().loginTokens.insert(loginToken());
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => store().loginTokens.revoke(t.id, T + i)),
    );
    expect(results.filter((r) => r === 'revoked')).toHaveLength(1);
    expect(results.filter((r) => r === 'already_revoked')).toHaveLength(RACERS - 1);
  });

  it('records every concurrent exchange of a live token (the budget is a limiter’s, not the store’s)', async () => {
    const t = await store().loginTokens.insert(loginToken());
    const jtis = Array.from({ length: RACERS }, () => uid('jti'));
    const results = await Promise.all(
      jtis.map((jti) =>
        store().loginTokens.recordExchange({ id: t.id, jti, exp: T + 300, now: T }),
      ),
    );
    expect(results).toEqual(jtis.map(() => true));
    const revCursor = await revocationCursor(store());
    await store().loginTokens.revoke(t.id, T + 1);
    expect((await revokedJtisSince(store(), revCursor)).sort()).toEqual([...jtis].sort());
  });

  it('exchanges racing a revocation: each is refused or revoked, none escapes', async () => {
    for (let round = 0; round < 3; round++) {
      const t = await store().loginTokens.insert(loginToken());
      const jtis = Array.from({ length: RACERS }, () => uid('jti'));
      const revCursor = await revocationCursor(store());
      const racing = jtis.map((jti) =>
        store().loginTokens.recordExchange({ id: t.id, jti, exp: T + 300, now: T }),
      );
      const [revoked, ...recorded] = await Promise.all([
        store().loginTokens.revoke(t.id, T),
        ...racing,
      ]);
      expect(revoked).toBe('revoked');
      const inFeed = new Set(await revokedJtisSince(store(), revCursor));
      jtis.forEach((jti, i) => {
        expect(inFeed.has(jti)).toBe(recorded[i]);
      });
      // After the revocation, no exchange is recorded.
      expect(
        await store().loginTokens.recordExchange({
          id: t.id,
          jti: uid('jti'),
          exp: T + 300,
          now: T,
        }),
      ).toBe(false);
    }
  });
});

describe.each(storeTargets())('store contract: PATs on $kind', (target) => {
  const store = useStore(target);

  const insert = async (p: PatRecord) => {
    const key = signingKey({ alg: uid('alg') });
    await store().signingKeys.insertIfNoneForAlg(key);
    await store().pats.insert(p, key.kid);
    return key;
  };

  it('round-trips every field, authorised or not, by id and by hash', async () => {
    const pending = pat({ scopes: [] });
    const granted = pat({
      authorisedApi: true,
      authorisedWeb: true,
      authorisedAt: T + 1,
      authorisedUntil: T + 500,
    });
    await insert(pending);
    await insert(granted);
    expect(await store().pats.findById(pending.id)).toEqual(pending);
    expect(await store().pats.findByHash(pending.tokenHash)).toEqual(pending);
    expect(await store().pats.findById(granted.id)).toEqual(granted);
    expect(await store().pats.findById(uid('pat'))).toBeUndefined();
    expect(await store().pats.findByHash(pending.id)).toBeUndefined();
  });

  it('publishes the signing key until the PAT expires, never shortening it', async () => {
    const key = signingKey({ alg: uid('alg') });
    await store().signingKeys.insertIfNoneForAlg(key);
    const publishedUntil = async () =>
      (await store().signingKeys.list()).find((k) => k.kid === key.kid)?.publishedUntil;
    expect(await publishedUntil()).toBeNull();
    await store().pats.insert(pat({ expiresAt: T + 1000 }), key.kid);
    expect(await publishedUntil()).toBe(T + 1000);
    await store().pats.insert(pat({ expiresAt: T + 500 }), key.kid);
    expect(await publishedUntil()).toBe(T + 1000);
    await store().pats.insert(pat({ expiresAt: T + 2000 }), key.kid);
    expect(await publishedUntil()).toBe(T + 2000);
  });

  it('lists by created_at, then by id within the same second', async () => {
    const p = uid('order');
    await insert(pat({ id: `${p}-z`, createdAt: T - 1 }));
    for (const s of ['c', 'a', 'b']) await insert(pat({ id: `${p}-${s}` }));
    const ids = ['z', 'a', 'b', 'c'].map((s) => `${p}-${s}`);
    const listed = only(await store().pats.list(), (x) => x.id, ids);
    expect(listed.map((x) => x.id)).toEqual(ids);
    expect(listed[1]).toEqual(pat({ id: `${p}-a` }));
  });

  it('authorises: records the grant and puts the new state in the feed', async () => {
    const p = pat();
    await insert(p);
    const cursor = await store().tokenEvents.lastCursor();
    expect(
      await store().pats.authorise(p.id, { api: true, web: false, until: T + 900 }, T + 3),
    ).toBe(true);
    expect(await store().pats.findById(p.id)).toEqual({
      ...p,
      authorisedApi: true,
      authorisedWeb: false,
      authorisedAt: T + 3,
      authorisedUntil: T + 900,
    });
    // Re-authorising replaces the grant; until null means the token's own exp.
    expect(await store().pats.authorise(p.id, { api: false, web: true, until: null }, T + 4)).toBe(
      true,
    );
    expect(await store().pats.findById(p.id)).toMatchObject({
      authorisedApi: false,
      authorisedWeb: true,
      authorisedAt: T + 4,
      authorisedUntil: null,
    });
    const state = { type: 'pat.state', jti: p.jti, patId: p.id, revoked: false, exp: p.expiresAt };
    expect(await eventsSince(store(), cursor)).toEqual([
      { ...state, seq: expect.any(Number), api: true, web: false, until: T + 900, at: T + 3 },
      { ...state, seq: expect.any(Number), api: false, web: true, until: null, at: T + 4 },
    ]);
  });

  it('authorises neither an unknown nor a revoked PAT, telling the feed nothing', async () => {
    const p = pat();
    await insert(p);
    await store().pats.revoke(p.id, T);
    const cursor = await store().tokenEvents.lastCursor();
    expect(await store().pats.authorise(p.id, { api: true, web: true, until: null }, T + 1)).toBe(
      false,
    );
    expect(await store().pats.findById(p.id)).toEqual({ ...p, revokedAt: T });
    expect(await store().pats.authorise(uid('pat'), { api: true, web: true, until: null }, T)).toBe(
      false,
    );
    expect(await store().tokenEvents.lastCursor()).toBe(cursor);
  });

  it('revokes once: the jti revoked, the last state in the feed marked revoked', async () => {
    const p = pat();
    await insert(p);
    await store().pats.authorise(p.id, { api: true, web: true, until: T + 700 }, T + 1);
    const cursor = await store().tokenEvents.lastCursor();
    const revCursor = await revocationCursor(store());

    expect(await store().pats.revoke(p.id, T + 2)).toBe('revoked');

    expect((await store().pats.findById(p.id))?.revokedAt).toBe(T + 2);
    expect(await store().revocations.isRevoked(p.jti)).toBe(true);
    expect(await store().revocations.listAfter(revCursor, T, 10)).toEqual([
      { seq: expect.any(Number), jti: p.jti, exp: p.expiresAt, revokedAt: T + 2 },
    ]);
    expect(await eventsSince(store(), cursor)).toEqual([
      {
        seq: expect.any(Number),
        type: 'pat.state',
        jti: p.jti,
        patId: p.id,
        api: true,
        web: true,
        until: T + 700,
        revoked: true,
        at: T + 2,
        exp: p.expiresAt,
      },
    ]);

    expect(await store().pats.revoke(p.id, T + 3)).toBe('already_revoked');
    expect((await store().pats.findById(p.id))?.revokedAt).toBe(T + 2);
    expect(await eventsSince(store(), cursor)).toHaveLength(1);
    expect(await store().pats.revoke(uid('pat'), T)).toBe('not_found');
  });

  it('of concurrent revocations, exactly one revokes and tells the feed', async () => {
    const p = pat();
    await insert(p);
    const cursor = await store().tokenEvents.lastCursor();
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => store().pats.revoke(p.id, T + i)),
    );
    expect(results.filter((r) => r === 'revoked')).toHaveLength(1);
    expect(results.filter((r) => r === 'already_revoked')).toHaveLength(RACERS - 1);
    expect((await eventsSince(store(), cursor)).map((e) => e.type)).toEqual(['pat.state']);
  });

  it('authorisations racing a revocation never follow it in the feed', async () => {
    for (let round = 0; round < 3; round++) {
      const p = pat();
      await insert(p);
      const cursor = await store().tokenEvents.lastCursor();
      const [revoked, ...granted] = await Promise.all([
        store().pats.revoke(p.id, T),
        ...Array.from({ length: RACERS }, () =>
          store().pats.authorise(p.id, { api: true, web: false, until: null }, T),
        ),
      ]);
      expect(revoked).toBe('revoked');
      const events = await eventsSince(store(), cursor);
      // One event per successful authorisation, and the revocation's last.
      expect(events).toHaveLength(granted.filter((g) => g).length + 1);
      const last = events.at(-1);
      expect(last?.type === 'pat.state' && last.revoked).toBe(true);
      expect((await store().pats.findById(p.id))?.revokedAt).toBe(T);
    }
  });

  it('records use with touch; unknown ids are ignored', async () => {
    const p = pat();
    await insert(p);
    await store().pats.touch(p.id, T + 9);
    expect(await store().pats.findById(p.id)).toEqual({ ...p, lastUsedAt: T + 9 });
    await expect(store().pats.touch(uid('pat'), T)).resolves.toBeUndefined();
  });
});
