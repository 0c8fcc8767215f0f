/**
 * Store contract: users and what disabling, revoking and deleting a user
 * does to their tokens, on every store target.
 */
import { describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import type { Store, UserRecord } from '../../src/store/types.js';
import {
  access,
  only,
  RACERS,
  refreshToken,
  revocationCursor,
  revokedJtisSince,
  successor,
  T,
  uid,
  user,
  useStore,
} from './store-contract-helpers.js';

/** A user with two refresh-token families and a login without one; returns what to check. */
async function userWithTokens(store: Store, u: UserRecord) {
  await store.users.insert(u);
  const family = refreshToken({ userId: u.id });
  const familyAccess = access(T + 300);
  const next = successor(family);
  const nextAccess = access(T + 400);
  const expired = access(T - 1);
  const second = refreshToken({ userId: u.id });
  const secondAccess = access(T + 500);
  const direct = access(T + 600);
  await store.refreshTokens.insert(family, familyAccess);
  await store.refreshTokens.rotate(family.id, T - 30, next, nextAccess);
  await store.refreshTokens.insert(second, expired);
  await store.refreshTokens.rotate(second.id, T - 20, successor(second), secondAccess);
  await store.users.recordAccessToken(u.id, direct);
  await store.users.recordAccessToken(u.id, access(T - 2));
  return {
    refreshTokens: [family, next, second],
    liveJtis: [familyAccess, nextAccess, secondAccess, direct].map((a) => a.jti).sort(),
  };
}

describe.each(storeTargets())('store contract: users on $kind', (target) => {
  const store = useStore(target);

  it('round-trips every field, disabled or not, by id and by e-mail', async () => {
    const u = user();
    const disabled = user({ createdAt: T - 50, updatedAt: T - 10, disabledAt: T - 10 });
    expect(await store().users.insert(u)).toBe(true);
    expect(await store().users.insert(disabled)).toBe(true);
    expect(await store().users.findById(u.id)).toEqual(u);
    expect(await store().users.findByEmail(u.email)).toEqual(u);
    expect(await store().users.findById(disabled.id)).toEqual(disabled);
    expect(await store().users.findById(uid('nobody'))).toBeUndefined();
    expect(await store().users.findByEmail(`${uid('nobody')}@example.com`)).toBeUndefined();
  });

  it('refuses a taken e-mail or a look-alike of it, keeping the first user', async () => {
    const u = user();
    await store().users.insert(u);
    expect(await store().users.insert(user({ email: u.email, emailSkeleton: uid('sk') }))).toBe(
      false,
    );
    const lookAlike = user({ email: `x${u.email}`, emailSkeleton: u.emailSkeleton });
    expect(await store().users.insert(lookAlike)).toBe(false);
    expect(await store().users.findByEmail(lookAlike.email)).toBeUndefined();
    expect(await store().users.findByEmail(u.email)).toEqual(u);
  });

  it('of concurrent sign-ups with one e-mail (or look-alikes), exactly one succeeds', async () => {
    const email = `${uid('race')}@example.com`;
    const same = Array.from({ length: RACERS }, () => user({ email, emailSkeleton: email }));
    const results = await Promise.all(same.map((u) => store().users.insert(u)));
    expect(results.filter((r) => r)).toHaveLength(1);
    const winner = same[results.indexOf(true)];
    expect(await store().users.findByEmail(email)).toEqual(winner);
    expect(only(await store().users.list(), (u) => u.email, [email])).toHaveLength(1);

    const skeleton = `${uid('skeleton')}@example.com`;
    const lookAlikes = Array.from({ length: RACERS }, (_, i) =>
      user({ email: `${i}-${skeleton}`, emailSkeleton: skeleton }),
    );
    const lookAlikeResults = await Promise.all(lookAlikes.map((u) => store().users.insert(u)));
    expect(lookAlikeResults.filter((r) => r)).toHaveLength(1);
    const found = await Promise.all(lookAlikes.map((u) => store().users.findByEmail(u.email)));
    expect(found.map((f) => f !== undefined)).toEqual(lookAlikeResults);
  });

  it('lists by created_at, then by id within the same second', async () => {
    const p = uid('order');
    await store().users.insert(user({ id: `${p}-z`, createdAt: T - 1 }));
    for (const s of ['b', 'a', 'c']) await store().users.insert(user({ id: `${p}-${s}` }));
    const ids = ['z', 'a', 'b', 'c'].map((s) => `${p}-${s}`);
    const listed = only(await store().users.list(), (u) => u.id, ids);
    expect(listed.map((u) => u.id)).toEqual(ids);
    expect(listed[1]).toEqual(user({ id: `${p}-a` }));
  });

  it('updates the password hash and updated_at only; false for an unknown user', async () => {
    const u = user();
    await store().users.insert(u);
    expect(await store().users.updatePasswordHash(u.id, 'argon2id$new', T + 5)).toBe(true);
    expect(await store().users.findById(u.id)).toEqual({
      ...u,
      passwordHash: 'argon2id$new',
      updatedAt: T + 5,
    });
    expect(await store().users.updatePasswordHash(uid('nobody'), 'h', T)).toBe(false);
  });

  it('disables a user, revoking every refresh token and live access token of theirs', async () => {
    const u = user();
    const bystander = user();
    const mine = await userWithTokens(store(), u);
    const theirs = await userWithTokens(store(), bystander);
    const revCursor = await revocationCursor(store());

    expect(await store().users.disable(u.id, T)).toBe(true);

    expect(await store().users.findById(u.id)).toEqual({ ...u, disabledAt: T, updatedAt: T });
    for (const r of mine.refreshTokens) {
      expect((await store().refreshTokens.findByHash(r.tokenHash))?.revokedAt).toBe(T);
    }
    expect((await revokedJtisSince(store(), revCursor)).sort()).toEqual(mine.liveJtis);
    // Nobody else's.
    for (const r of theirs.refreshTokens) {
      expect((await store().refreshTokens.findByHash(r.tokenHash))?.revokedAt).toBeNull();
    }
    expect((await store().users.findById(bystander.id))?.disabledAt).toBeNull();
  });

  it('revokes a user’s tokens without disabling them; false for an unknown user', async () => {
    const u = user();
    const mine = await userWithTokens(store(), u);
    const revCursor = await revocationCursor(store());

    expect(await store().users.revokeTokens(u.id, T)).toBe(true);

    expect(await store().users.findById(u.id)).toEqual(u);
    for (const r of mine.refreshTokens) {
      expect((await store().refreshTokens.findByHash(r.tokenHash))?.revokedAt).toBe(T);
    }
    expect((await revokedJtisSince(store(), revCursor)).sort()).toEqual(mine.liveJtis);
    // Again: nothing new in the feed.
    const after = await revocationCursor(store());
    expect(await store().users.revokeTokens(u.id, T + 1)).toBe(true);
    expect(await revocationCursor(store())).toBe(after);

    expect(await store().users.revokeTokens(uid('nobody'), T)).toBe(false);
    expect(await store().users.disable(uid('nobody'), T)).toBe(false);
  });

  it('deletes a user with their refresh tokens, revoking their access tokens first', async () => {
    const u = user();
    const mine = await userWithTokens(store(), u);
    const revCursor = await revocationCursor(store());

    expect(await store().users.delete(u.id, T)).toBe(true);

    expect(await store().users.findById(u.id)).toBeUndefined();
    expect(await store().users.findByEmail(u.email)).toBeUndefined();
    for (const r of mine.refreshTokens) {
      expect(await store().refreshTokens.findByHash(r.tokenHash)).toBeUndefined();
    }
    expect((await revokedJtisSince(store(), revCursor)).sort()).toEqual(mine.liveJtis);
    // The e-mail is free again.
    expect(await store().users.insert(user({ email: u.email }))).toBe(true);
    expect(await store().users.delete(u.id, T)).toBe(false);
  });
});
