/**
 * Store contract: signing keys, on every store target. The tests share one
 * store: each uses algorithms of its own, and a test of deleteRetiredBefore
 * first clears what its cutoffs would reach of other tests' keys.
 */
import { describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import type { SigningKeyRecord } from '../../src/store/types.js';
import {
  eventsSince,
  only,
  pat,
  RACERS,
  signingKey,
  T,
  uid,
  useStore,
} from './store-contract-helpers.js';

describe.each(storeTargets())('store contract: signing keys on $kind', (target) => {
  const store = useStore(target);

  /** The keys of these algorithms, in the store's order. */
  const keysOf = async (...algs: string[]): Promise<SigningKeyRecord[]> =>
    (await store().signingKeys.list()).filter((k) => algs.includes(k.alg));
  const topNumber = async () =>
    Math.max(0, ...(await store().signingKeys.list()).map((k) => k.number ?? 0));

  it('inserts the first key of an algorithm with the next number and every field', async () => {
    const [es, rs] = [uid('ES256'), uid('RS256')];
    const n = await topNumber();
    const a = signingKey({ alg: es, publishedUntil: T + 50 });
    expect(await store().signingKeys.insertIfNoneForAlg(a)).toBe(true);
    expect(await keysOf(es)).toEqual([{ ...a, number: n + 1 }]);
    // Another algorithm is independent; numbers count across algorithms.
    const b = signingKey({ alg: rs, activeFrom: T + 1, createdAt: T - 1 });
    expect(await store().signingKeys.insertIfNoneForAlg(b)).toBe(true);
    expect(await keysOf(es, rs)).toEqual([
      { ...a, number: n + 1 },
      { ...b, number: n + 2 },
    ]);
  });

  it('inserts nothing while the algorithm has a current key', async () => {
    const alg = uid('ES256');
    const a = signingKey({ alg });
    await store().signingKeys.insertIfNoneForAlg(a);
    expect(await store().signingKeys.insertIfNoneForAlg(signingKey({ alg }))).toBe(false);
    expect((await keysOf(alg)).map((k) => k.kid)).toEqual([a.kid]);
  });

  it('of concurrent first starts, exactly one inserts a key per algorithm', async () => {
    const [es, ed] = [uid('ES256'), uid('EdDSA')];
    const n = await topNumber();
    const candidates = Array.from({ length: RACERS }, (_, i) =>
      signingKey({ alg: i % 2 === 0 ? es : ed }),
    );
    const results = await Promise.all(
      candidates.map((k) => store().signingKeys.insertIfNoneForAlg(k)),
    );
    expect(results.filter((r) => r)).toHaveLength(2);
    const keys = await keysOf(es, ed);
    expect(keys.map((k) => k.alg).sort()).toEqual([es, ed].sort());
    // The stored keys are the winners', numbered apart.
    const winners = candidates.filter((_, i) => results[i]).map((k) => k.kid);
    expect(keys.map((k) => k.kid).sort()).toEqual(winners.sort());
    expect(keys.map((k) => k.number).sort()).toEqual([n + 1, n + 2]);
  });

  it('lists oldest first (active_from, then kid), retired keys included', async () => {
    const [es, rs, ed] = [uid('ES256'), uid('RS256'), uid('EdDSA')];
    const p = uid('kid');
    await store().signingKeys.insertIfNoneForAlg(signingKey({ kid: `${p}-b`, alg: es }));
    await store().signingKeys.insertIfNoneForAlg(
      signingKey({ kid: `${p}-z`, alg: rs, activeFrom: T - 100 }),
    );
    await store().signingKeys.rotate([signingKey({ kid: `${p}-c`, alg: es, activeFrom: T + 10 })]);
    await store().signingKeys.insertIfNoneForAlg(signingKey({ kid: `${p}-a`, alg: ed }));
    const kids = ['z', 'a', 'b', 'c'].map((s) => `${p}-${s}`);
    expect(only(await store().signingKeys.list(), (k) => k.kid, kids).map((k) => k.kid)).toEqual(
      kids,
    );
  });

  it('rotates: retires the current keys of the same algorithm at the new key’s activeFrom', async () => {
    const [es, rs] = [uid('ES256'), uid('RS256')];
    const first = signingKey({ alg: es });
    const other = signingKey({ alg: rs });
    await store().signingKeys.insertIfNoneForAlg(first);
    await store().signingKeys.insertIfNoneForAlg(other);
    const n = await topNumber();
    const next = signingKey({ alg: es, createdAt: T + 5, activeFrom: T + 100 });
    expect(await store().signingKeys.rotate([next])).toEqual({ retired: [first.kid] });
    const byKid = new Map((await keysOf(es, rs)).map((k) => [k.kid, k]));
    expect(byKid.get(first.kid)).toEqual({ ...first, number: n - 1, retiredAt: T + 100 });
    expect(byKid.get(other.kid)).toEqual({ ...other, number: n });
    expect(byKid.get(next.kid)).toEqual({ ...next, number: n + 1 });
    // A newer key active sooner brings forward the retirement of both.
    const sooner = signingKey({ alg: es, activeFrom: T + 50 });
    const { retired } = await store().signingKeys.rotate([sooner]);
    expect(retired.sort()).toEqual([first.kid, next.kid].sort());
    const after = new Map((await keysOf(es)).map((k) => [k.kid, k]));
    expect(after.get(first.kid)?.retiredAt).toBe(T + 50);
    expect(after.get(next.kid)?.retiredAt).toBe(T + 50);
    expect(after.get(sooner.kid)).toEqual({ ...sooner, number: n + 2 });
  });

  it('rotates several algorithms at once, and retires nothing where none was current', async () => {
    const [es, ed] = [uid('ES256'), uid('EdDSA')];
    const first = signingKey({ alg: es });
    await store().signingKeys.insertIfNoneForAlg(first);
    const nextEs = signingKey({ alg: es, activeFrom: T + 10 });
    const firstEd = signingKey({ alg: ed, activeFrom: T + 10 });
    expect(await store().signingKeys.rotate([nextEs, firstEd])).toEqual({ retired: [first.kid] });
    const keys = await keysOf(es, ed);
    expect(
      keys
        .filter((k) => k.retiredAt === null)
        .map((k) => k.kid)
        .sort(),
    ).toEqual([nextEs.kid, firstEd.kid].sort());
    expect(keys.find((k) => k.kid === first.kid)?.retiredAt).toBe(T + 10);
    expect(new Set(keys.map((k) => k.number)).size).toBe(3);
  });

  it('rotates atomically: a failing new key leaves every key as it was', async () => {
    const [es, rs] = [uid('ES256'), uid('RS256')];
    const first = signingKey({ alg: es });
    await store().signingKeys.insertIfNoneForAlg(first);
    const before = await store().signingKeys.list();
    // The second new key reuses a kid: its insert fails after the first one's.
    await expect(
      store().signingKeys.rotate([
        signingKey({ alg: es, activeFrom: T + 10 }),
        signingKey({ kid: first.kid, alg: rs, activeFrom: T + 10 }),
      ]),
    ).rejects.toThrow();
    expect(await store().signingKeys.list()).toEqual(before);
  });

  it('of concurrent rotations, each numbers its key apart and one key stays current', async () => {
    const alg = uid('ES256');
    await store().signingKeys.insertIfNoneForAlg(signingKey({ alg }));
    const results = await Promise.all(
      Array.from({ length: RACERS }, () =>
        store().signingKeys.rotate([signingKey({ alg, activeFrom: T + 10 })]),
      ),
    );
    // Each rotation retired exactly the key current before it.
    for (const r of results) expect(r.retired).toHaveLength(1);
    expect(new Set(results.map((r) => r.retired[0])).size).toBe(RACERS);
    const keys = await keysOf(alg);
    expect(keys).toHaveLength(RACERS + 1);
    expect(new Set(keys.map((k) => k.number)).size).toBe(RACERS + 1);
    expect(keys.filter((k) => k.retiredAt === null)).toHaveLength(1);
  });

  it('deletes retired keys before the cutoff unless still published, telling the feed', async () => {
    const now = T + 1000;
    // Other tests' retired keys that these cutoffs reach go first.
    await store().signingKeys.deleteRetiredBefore(T + 10_000, now);
    const alg = uid('ES256');
    const [old, mid, cur] = [uid('old'), uid('mid'), uid('cur')];
    await store().signingKeys.insertIfNoneForAlg(signingKey({ kid: old, alg }));
    await store().signingKeys.rotate([signingKey({ kid: mid, alg, activeFrom: T + 10 })]);
    await store().signingKeys.rotate([signingKey({ kid: cur, alg, activeFrom: T + 20 })]);
    // old retired at T+10, mid at T+20, cur current.
    const cursor = await store().tokenEvents.lastCursor();
    // Strictly before: a key retired at the cutoff stays.
    expect(await store().signingKeys.deleteRetiredBefore(T + 10, now)).toBe(0);
    expect(await eventsSince(store(), cursor, now)).toEqual([]);
    expect(await store().signingKeys.deleteRetiredBefore(T + 11, now)).toBe(1);
    expect((await keysOf(alg)).map((k) => k.kid)).toEqual([mid, cur]);
    expect(await eventsSince(store(), cursor, now)).toEqual([
      {
        seq: expect.any(Number),
        type: 'signing_key.removed',
        kid: old,
        at: now,
        exp: now + 86_400,
      },
    ]);
    // A current key is never deleted, whatever the cutoff.
    expect(await store().signingKeys.deleteRetiredBefore(T + 10_000, now)).toBe(1);
    expect((await keysOf(alg)).map((k) => k.kid)).toEqual([cur]);
  });

  it('keeps a retired key published for a PAT it signed until the PAT expires', async () => {
    await store().signingKeys.deleteRetiredBefore(T + 100, T + 5000);
    const alg = uid('ES256');
    const old = signingKey({ alg });
    await store().signingKeys.insertIfNoneForAlg(old);
    await store().pats.insert(pat({ expiresAt: T + 5000 }), old.kid);
    await store().signingKeys.rotate([signingKey({ alg, activeFrom: T + 10 })]);
    expect((await keysOf(alg)).find((k) => k.kid === old.kid)?.publishedUntil).toBe(T + 5000);
    expect(await store().signingKeys.deleteRetiredBefore(T + 100, T + 4999)).toBe(0);
    expect(await store().signingKeys.deleteRetiredBefore(T + 100, T + 5000)).toBe(1);
    expect((await keysOf(alg)).map((k) => k.kid)).not.toContain(old.kid);
  });
});
