/**
 * Store contract: the jti revocation list, the token-state feed, refresh
 * tokens and the client kill switch, on every store target.
 */
import { describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  access,
  eventsSince,
  RACERS,
  refreshToken,
  revocationCursor,
  revokedJtisSince,
  successor,
  T,
  uid,
  useStore,
} from './store-contract-helpers.js';

describe.each(storeTargets())('store contract: revocations on $kind', (target) => {
  const store = useStore(target);

  it('revokes a jti: isRevoked, the revocation list and one feed event', async () => {
    const jti = uid('jti');
    const cursor = await store().tokenEvents.lastCursor();
    const revCursor = await revocationCursor(store());
    expect(await store().revocations.isRevoked(jti)).toBe(false);
    await store().revocations.revoke({ jti, exp: T + 600, revokedAt: T });
    expect(await store().revocations.isRevoked(jti)).toBe(true);
    expect(await store().revocations.isRevoked(uid('other'))).toBe(false);
    expect(await store().revocations.listAfter(revCursor, T, 100)).toEqual([
      { seq: expect.any(Number), jti, exp: T + 600, revokedAt: T },
    ]);
    expect(await eventsSince(store(), cursor)).toEqual([
      { seq: expect.any(Number), type: 'access_token.revoked', jti, at: T, exp: T + 600 },
    ]);
  });

  it('changes nothing on a second revocation of the same jti', async () => {
    const jti = uid('jti');
    const revCursor = await revocationCursor(store());
    const cursor = await store().tokenEvents.lastCursor();
    await store().revocations.revoke({ jti, exp: T + 600, revokedAt: T });
    await store().revocations.revoke({ jti, exp: T + 900, revokedAt: T + 5 });
    expect(await store().revocations.listAfter(revCursor, T, 100)).toEqual([
      { seq: expect.any(Number), jti, exp: T + 600, revokedAt: T },
    ]);
    expect(await eventsSince(store(), cursor)).toHaveLength(1);
  });

  it('of concurrent revocations of one jti, one entry and one event remain', async () => {
    const jti = uid('jti');
    const revCursor = await revocationCursor(store());
    const cursor = await store().tokenEvents.lastCursor();
    await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        store().revocations.revoke({ jti, exp: T + 600, revokedAt: T + i }),
      ),
    );
    expect(await revokedJtisSince(store(), revCursor)).toEqual([jti]);
    expect((await eventsSince(store(), cursor)).map((e) => e.type)).toEqual([
      'access_token.revoked',
    ]);
  });

  it('lists after the cursor in cursor order, with a limit, unexpired at now only', async () => {
    const revCursor = await revocationCursor(store());
    const jtis = Array.from({ length: 5 }, () => uid('jti'));
    // Concurrent revocations too get distinct, increasing cursors.
    await Promise.all(
      jtis.map((jti, i) => store().revocations.revoke({ jti, exp: T + 100 + i, revokedAt: T })),
    );
    const all = await store().revocations.listAfter(revCursor, T, 100);
    expect(all.map((r) => r.jti).sort()).toEqual([...jtis].sort());
    const seqs = all.map((r) => r.seq);
    expect(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] ?? 0))).toBe(true);
    expect(seqs.every((s) => s > revCursor)).toBe(true);
    // Limit and continuation.
    const first = await store().revocations.listAfter(revCursor, T, 2);
    expect(first).toEqual(all.slice(0, 2));
    const rest = await store().revocations.listAfter(first[1]?.seq ?? 0, T, 100);
    expect(rest).toEqual(all.slice(2));
    // An entry whose exp is now has expired: exp > now only.
    const at102 = await store().revocations.listAfter(revCursor, T + 102, 100);
    expect(at102.map((r) => r.exp).sort()).toEqual([T + 103, T + 104]);
  });

  it('answers isRevoked by the kill switch only given both client and iat', async () => {
    const clientId = uid('client');
    const jti = uid('jti');
    await store().revocations.revokeClientTokens(clientId, T, 3600);
    expect(await store().revocations.isRevoked(jti, { clientId, iat: T - 100 })).toBe(true);
    // Same second: iat has whole seconds only.
    expect(await store().revocations.isRevoked(jti, { clientId, iat: T })).toBe(true);
    expect(await store().revocations.isRevoked(jti, { clientId, iat: T + 1 })).toBe(false);
    expect(await store().revocations.isRevoked(jti, { clientId: uid('other'), iat: T })).toBe(
      false,
    );
    expect(await store().revocations.isRevoked(jti, { clientId })).toBe(false);
    expect(await store().revocations.isRevoked(jti, { iat: T })).toBe(false);
    expect(await store().revocations.isRevoked(jti)).toBe(false);
  });

  it('kill switch: revokes the client’s refresh tokens and their access tokens, tells the feed', async () => {
    const clientId = uid('client');
    const mine = refreshToken({ clientId });
    const mineAccess = access(T + 300);
    const mineExpired = access(T - 1);
    const next = successor(mine);
    const other = refreshToken({ clientId: uid('client') });
    const otherAccess = access();
    await store().refreshTokens.insert(mine, mineExpired);
    await store().refreshTokens.rotate(mine.id, T - 50, next, mineAccess);
    await store().refreshTokens.insert(other, otherAccess);
    const cursor = await store().tokenEvents.lastCursor();
    const revCursor = await revocationCursor(store());

    await store().revocations.revokeClientTokens(clientId, T, 3600);

    expect((await store().refreshTokens.findByHash(next.tokenHash))?.revokedAt).toBe(T);
    expect((await store().refreshTokens.findByHash(mine.tokenHash))?.revokedAt).toBe(T);
    expect((await store().refreshTokens.findByHash(other.tokenHash))?.revokedAt).toBeNull();
    // Live access tokens of its families by jti; an expired one is left out.
    expect(await revokedJtisSince(store(), revCursor)).toEqual([mineAccess.jti]);
    const events = await eventsSince(store(), cursor);
    expect(events).toEqual(
      expect.arrayContaining([
        {
          seq: expect.any(Number),
          type: 'access_token.revoked',
          jti: mineAccess.jti,
          at: T,
          exp: T + 300,
        },
        {
          seq: expect.any(Number),
          type: 'client.tokens_revoked',
          clientId,
          before: T,
          at: T,
          exp: T + 3600,
        },
      ]),
    );
    expect(events).toHaveLength(2);
    // A revoked refresh token no longer rotates.
    expect(await store().refreshTokens.rotate(next.id, T + 1, successor(next), access())).toBe(
      false,
    );
  });

  it('kill switch again later moves its cutoff forward', async () => {
    const clientId = uid('client');
    await store().revocations.revokeClientTokens(clientId, T, 3600);
    await store().revocations.revokeClientTokens(clientId, T + 500, 3600);
    expect(await store().revocations.isRevoked('j', { clientId, iat: T + 400 })).toBe(true);
    expect(await store().revocations.isRevoked('j', { clientId, iat: T + 501 })).toBe(false);
  });
});

describe.each(storeTargets())('store contract: token events on $kind', (target) => {
  const store = useStore(target);

  it('lists after the cursor in cursor order with a limit; lastCursor is the newest', async () => {
    const cursor = await store().tokenEvents.lastCursor();
    const jtis = Array.from({ length: 4 }, () => uid('jti'));
    for (const jti of jtis) await store().revocations.revoke({ jti, exp: T + 600, revokedAt: T });
    const all = await eventsSince(store(), cursor);
    expect(all.map((e) => (e.type === 'access_token.revoked' ? e.jti : e.type))).toEqual(jtis);
    const seqs = all.map((e) => e.seq);
    expect(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] ?? 0))).toBe(true);
    expect(await store().tokenEvents.lastCursor()).toBe(seqs.at(-1));
    const page = await store().tokenEvents.listAfter(cursor, T, 3);
    expect(page).toEqual(all.slice(0, 3));
    expect(await store().tokenEvents.listAfter(page[2]?.seq ?? 0, T, 3)).toEqual(all.slice(3));
    expect(await store().tokenEvents.listAfter(seqs.at(-1) ?? 0, T, 3)).toEqual([]);
  });

  it('keeps an event for 300 s of grace past its exp (the revocation list: none)', async () => {
    const cursor = await store().tokenEvents.lastCursor();
    const revCursor = await revocationCursor(store());
    const jti = uid('jti');
    await store().revocations.revoke({ jti, exp: T + 100, revokedAt: T });
    expect(await eventsSince(store(), cursor, T + 100 + 299)).toHaveLength(1);
    expect(await eventsSince(store(), cursor, T + 100 + 300)).toEqual([]);
    expect(await revokedJtisSince(store(), revCursor, T + 99)).toEqual([jti]);
    expect(await revokedJtisSince(store(), revCursor, T + 100)).toEqual([]);
    // Expired events still count for the last cursor.
    expect(await store().tokenEvents.lastCursor()).toBeGreaterThan(cursor);
  });
});

describe.each(storeTargets())('store contract: refresh tokens on $kind', (target) => {
  const store = useStore(target);

  it('round-trips every field, and finds by hash only', async () => {
    const t = refreshToken();
    await store().refreshTokens.insert(t, access());
    expect(await store().refreshTokens.findByHash(t.tokenHash)).toEqual(t);
    expect(await store().refreshTokens.findByHash(t.id)).toBeUndefined();
    // Stored as given, spent and revoked times and an empty scope included.
    const used = refreshToken({ scopes: [], spentAt: T + 1, revokedAt: T + 2 });
    await store().refreshTokens.insert(used, access());
    expect(await store().refreshTokens.findByHash(used.tokenHash)).toEqual(used);
  });

  it('rotates: spends the old token, stores the successor; a spent token rotates no more', async () => {
    const t = refreshToken();
    await store().refreshTokens.insert(t, access());
    const next = successor(t, { createdAt: T + 10, expiresAt: T + 4000 });
    expect(await store().refreshTokens.rotate(t.id, T + 10, next, access())).toBe(true);
    expect(await store().refreshTokens.findByHash(t.tokenHash)).toEqual({ ...t, spentAt: T + 10 });
    expect(await store().refreshTokens.findByHash(next.tokenHash)).toEqual(next);
    const other = successor(t);
    expect(await store().refreshTokens.rotate(t.id, T + 11, other, access())).toBe(false);
    expect(await store().refreshTokens.findByHash(other.tokenHash)).toBeUndefined();
    expect((await store().refreshTokens.findByHash(t.tokenHash))?.spentAt).toBe(T + 10);
    // The successor rotates in turn.
    expect(await store().refreshTokens.rotate(next.id, T + 12, successor(next), access())).toBe(
      true,
    );
  });

  it('rotates neither a revoked nor an unknown token', async () => {
    const t = refreshToken();
    await store().refreshTokens.insert(t, access());
    await store().refreshTokens.revokeFamily(t.familyId, T);
    const next = successor(t);
    expect(await store().refreshTokens.rotate(t.id, T + 1, next, access())).toBe(false);
    expect(await store().refreshTokens.findByHash(next.tokenHash)).toBeUndefined();
    expect((await store().refreshTokens.findByHash(t.tokenHash))?.spentAt).toBeNull();
    expect(await store().refreshTokens.rotate(uid('rt'), T, successor(t), access())).toBe(false);
  });

  it('of concurrent rotations of one token, exactly one wins', async () => {
    for (let round = 0; round < 3; round++) {
      const t = refreshToken();
      await store().refreshTokens.insert(t, access());
      const nexts = Array.from({ length: RACERS }, () => successor(t));
      const results = await Promise.all(
        nexts.map((n, i) => store().refreshTokens.rotate(t.id, T + i, n, access())),
      );
      expect(results.filter((r) => r)).toHaveLength(1);
      const stored = await Promise.all(
        nexts.map((n) => store().refreshTokens.findByHash(n.tokenHash)),
      );
      // Only the winner's successor exists, and the old token is spent at the winner's now.
      expect(stored.map((s) => s !== undefined)).toEqual(results);
      const winner = results.indexOf(true);
      expect((await store().refreshTokens.findByHash(t.tokenHash))?.spentAt).toBe(T + winner);
    }
  });

  it('revokes a whole family and its live access tokens, once', async () => {
    const t = refreshToken();
    const a0 = access(T + 300);
    const a1 = access(T + 600);
    const stale = access(T - 5);
    const next = successor(t);
    const last = successor(t);
    const unrelated = refreshToken();
    await store().refreshTokens.insert(t, a0);
    await store().refreshTokens.rotate(t.id, T - 20, next, stale);
    await store().refreshTokens.rotate(next.id, T - 10, last, a1);
    await store().refreshTokens.insert(unrelated, access());
    const cursor = await store().tokenEvents.lastCursor();
    const revCursor = await revocationCursor(store());

    await store().refreshTokens.revokeFamily(t.familyId, T);

    for (const r of [t, next, last]) {
      expect((await store().refreshTokens.findByHash(r.tokenHash))?.revokedAt).toBe(T);
    }
    expect((await store().refreshTokens.findByHash(unrelated.tokenHash))?.revokedAt).toBeNull();
    expect((await revokedJtisSince(store(), revCursor)).sort()).toEqual([a0.jti, a1.jti].sort());
    const events = await eventsSince(store(), cursor);
    expect(events.map((e) => e.type)).toEqual(['access_token.revoked', 'access_token.revoked']);

    // Again: nothing new, the first revocation time kept.
    await store().refreshTokens.revokeFamily(t.familyId, T + 50);
    expect((await store().refreshTokens.findByHash(t.tokenHash))?.revokedAt).toBe(T);
    expect(await eventsSince(store(), cursor)).toHaveLength(2);
    // Revoking an unknown family is no error.
    await expect(store().refreshTokens.revokeFamily(uid('family'), T)).resolves.toBeUndefined();
  });

  it('a rotation racing a family revocation never lets a successor or its access token escape', async () => {
    for (let round = 0; round < 4; round++) {
      const t = refreshToken();
      await store().refreshTokens.insert(t, access());
      const next = successor(t);
      const a = access(T + 300);
      const [rotated] = await Promise.all([
        store().refreshTokens.rotate(t.id, T, next, a),
        store().refreshTokens.revokeFamily(t.familyId, T),
      ]);
      const stored = await store().refreshTokens.findByHash(next.tokenHash);
      if (rotated) {
        expect(stored?.revokedAt).toBe(T);
        expect(await store().revocations.isRevoked(a.jti)).toBe(true);
      } else {
        expect(stored).toBeUndefined();
        expect(await store().revocations.isRevoked(a.jti)).toBe(false);
      }
      expect((await store().refreshTokens.findByHash(t.tokenHash))?.revokedAt).toBe(T);
    }
  });
});
