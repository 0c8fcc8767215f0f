/**
 * Store contract: the pruner's bounded deletes, one target at a time, on
 * every store target. A target acts on the whole table: each test first
 * drains it at its own cutoffs, so that what it then prunes is its own rows.
 */
import { describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import type { PruneCutoffs, PruneTarget } from '../../src/store/types.js';
import { access, eventsSince, refreshToken, T, uid, useStore } from './store-contract-helpers.js';

const cutoffs = (over: Partial<PruneCutoffs> = {}): PruneCutoffs => ({
  now: T,
  spentRefreshTokensBefore: T - 1000,
  auditBefore: T - 1000,
  usageBefore: { minute: T - 3600, hour: T - 86400, day: T - 30 * 86400 },
  ...over,
});

describe.each(storeTargets())('store contract: pruning on $kind', (target) => {
  const store = useStore(target);
  const prune = (t: PruneTarget, c = cutoffs(), limit = 1000) =>
    store().pruning.pruneBatch(t, c, limit);
  const count = async (table: 'derived_tokens' | 'refresh_tokens') =>
    Number(
      (
        await store()
          .db.selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** Prunes the target at these cutoffs until nothing is left for them. */
  const drain = async (t: PruneTarget, c = cutoffs()) => {
    while ((await prune(t, c)) > 0);
  };
  const exists = async (tokenHash: string) =>
    (await store().refreshTokens.findByHash(tokenHash)) !== undefined;

  it('names every prune target', () => {
    expect([...store().pruning.targets].sort()).toEqual(
      [
        'audit_log.old',
        'derived_tokens.expired',
        'refresh_tokens.expired',
        'refresh_tokens.revoked',
        'refresh_tokens.spent',
        'revoked_clients.expired',
        'revoked_tokens.expired',
        'token_events.expired',
        'usage_counts.old',
      ].sort(),
    );
  });

  it('refresh_tokens.expired: unused ones a minute past expiry whose family issued nothing live', async () => {
    await drain('refresh_tokens.expired');
    const gone = refreshToken({ expiresAt: T - 61 });
    const marginal = refreshToken({ expiresAt: T - 59 });
    const spent = refreshToken({ expiresAt: T - 61, spentAt: T - 100 });
    const revoked = refreshToken({ expiresAt: T - 61, revokedAt: T - 100 });
    const liveFamily = refreshToken({ expiresAt: T - 61 });
    await store().refreshTokens.insert(gone, access(T - 400));
    await store().refreshTokens.insert(marginal, access(T - 400));
    await store().refreshTokens.insert(spent, access(T - 400));
    await store().refreshTokens.insert(revoked, access(T - 400));
    // An access token expired less than the feed's grace ago still counts as live.
    await store().refreshTokens.insert(liveFamily, access(T - 200));
    expect(await prune('refresh_tokens.expired')).toBe(1);
    expect(await exists(gone.tokenHash)).toBe(false);
    for (const t of [marginal, spent, revoked, liveFamily])
      expect(await exists(t.tokenHash)).toBe(true);
  });

  it('refresh_tokens.spent: spent before the cutoff, even while the family is live', async () => {
    await drain('refresh_tokens.spent');
    const old = refreshToken({ spentAt: T - 1001 });
    const atCutoff = refreshToken({ spentAt: T - 1000 });
    const recent = refreshToken({ spentAt: T - 999 });
    const unspent = refreshToken({ expiresAt: T - 5000 });
    await store().refreshTokens.insert(old, access(T + 300));
    await store().refreshTokens.insert(atCutoff, access(T - 400));
    await store().refreshTokens.insert(recent, access(T - 400));
    await store().refreshTokens.insert(unspent, access(T - 400));
    expect(await prune('refresh_tokens.spent')).toBe(2);
    expect(await exists(old.tokenHash)).toBe(false);
    expect(await exists(atCutoff.tokenHash)).toBe(false);
    expect(await exists(recent.tokenHash)).toBe(true);
    expect(await exists(unspent.tokenHash)).toBe(true);
  });

  it('refresh_tokens.revoked: revoked before the cutoff, unless the family issued something live', async () => {
    await drain('refresh_tokens.revoked');
    const old = refreshToken({ revokedAt: T - 1001 });
    const oldButLive = refreshToken({ revokedAt: T - 1001 });
    const recent = refreshToken({ revokedAt: T - 999 });
    await store().refreshTokens.insert(old, access(T - 400));
    await store().refreshTokens.insert(oldButLive, access(T + 300));
    await store().refreshTokens.insert(recent, access(T - 400));
    expect(await prune('refresh_tokens.revoked')).toBe(1);
    expect(await exists(old.tokenHash)).toBe(false);
    expect(await exists(oldButLive.tokenHash)).toBe(true);
    expect(await exists(recent.tokenHash)).toBe(true);
  });

  it('derived_tokens.expired: links whose access token has expired', async () => {
    await drain('derived_tokens.expired');
    const [derived, refresh] = [await count('derived_tokens'), await count('refresh_tokens')];
    await store().refreshTokens.insert(refreshToken(), access(T));
    await store().refreshTokens.insert(refreshToken(), access(T - 1));
    await store().users.recordAccessToken(uid('user'), access(T + 1));
    expect(await count('derived_tokens')).toBe(derived + 3);
    expect(await prune('derived_tokens.expired')).toBe(2);
    expect(await count('derived_tokens')).toBe(derived + 1);
    // The links only: the refresh tokens stay.
    expect(await count('refresh_tokens')).toBe(refresh + 2);
  });

  it('revoked_tokens.expired: revoked jtis past their exp', async () => {
    await drain('revoked_tokens.expired');
    const expired = uid('jti');
    const atNow = uid('jti');
    const live = uid('jti');
    await store().revocations.revoke({ jti: expired, exp: T - 1, revokedAt: T - 100 });
    await store().revocations.revoke({ jti: atNow, exp: T, revokedAt: T - 100 });
    await store().revocations.revoke({ jti: live, exp: T + 1, revokedAt: T - 100 });
    expect(await prune('revoked_tokens.expired')).toBe(2);
    expect(await store().revocations.isRevoked(expired)).toBe(false);
    expect(await store().revocations.isRevoked(atNow)).toBe(false);
    expect(await store().revocations.isRevoked(live)).toBe(true);
  });

  it('revoked_clients.expired: kill switches past their exp and the feed’s grace', async () => {
    await drain('revoked_clients.expired');
    const gone = uid('client');
    const inGrace = uid('client');
    // exp = now + maxTokenTtlSeconds.
    await store().revocations.revokeClientTokens(gone, T - 400, 100);
    await store().revocations.revokeClientTokens(inGrace, T - 399, 100);
    expect(await prune('revoked_clients.expired')).toBe(1);
    expect(await store().revocations.isRevoked('j', { clientId: gone, iat: T - 500 })).toBe(false);
    expect(await store().revocations.isRevoked('j', { clientId: inGrace, iat: T - 500 })).toBe(
      true,
    );
  });

  it('token_events.expired: events past exp and grace, but never the newest', async () => {
    await drain('token_events.expired', cutoffs({ now: T + 10_000 }));
    const cursor = await store().tokenEvents.lastCursor();
    for (const exp of [T - 301, T - 300, T - 299]) {
      await store().revocations.revoke({ jti: uid('jti'), exp, revokedAt: T - 1000 });
    }
    await store().revocations.revoke({ jti: uid('jti'), exp: T - 5000, revokedAt: T - 1000 });
    const last = await store().tokenEvents.lastCursor();
    expect(await prune('token_events.expired')).toBe(2);
    const left = await eventsSince(store(), cursor, T - 10_000);
    expect(left.map((e) => e.exp)).toEqual([T - 299, T - 5000]);
    expect(await store().tokenEvents.lastCursor()).toBe(last);
    // Once everything has expired, the newest still stays.
    await drain('token_events.expired', cutoffs({ now: T + 10_000 }));
    expect((await eventsSince(store(), cursor, T - 10_000)).map((e) => e.seq)).toEqual([last]);
    expect(await store().tokenEvents.lastCursor()).toBe(last);
  });

  it('audit_log.old: entries from before the cutoff', async () => {
    await drain('audit_log.old');
    const entry = (at: number) => ({
      at,
      actor: 'cli',
      action: 'a',
      target: 't',
      address: 'cli',
      outcome: 'ok' as const,
      detail: {},
    });
    for (const at of [T - 1001, T - 1000, T - 999]) await store().audit.append(entry(at));
    expect(await prune('audit_log.old')).toBe(1);
    expect((await store().audit.list({ limit: 2 })).map((e) => e.at)).toEqual([T - 999, T - 1000]);
  });

  it('usage_counts.old: buckets of each granularity that start before its own cutoff', async () => {
    await drain('usage_counts.old');
    const id = uid('usage');
    const at = (granularity: 'minute' | 'hour' | 'day', bucketStart: number) => ({
      kind: 'client' as const,
      id,
      granularity,
      bucketStart,
      metric: 'tokens_issued',
      count: 1,
    });
    await store().usage.add([
      at('minute', T - 3601),
      at('minute', T - 3600),
      at('hour', T - 86401),
      at('hour', T - 86400),
      at('day', T - 30 * 86400 - 1),
      at('day', T - 30 * 86400),
    ]);
    expect(await prune('usage_counts.old')).toBe(3);
    const left = await Promise.all(
      (['minute', 'hour', 'day'] as const).map(async (granularity) =>
        (await store().usage.list({ granularity, from: 0, to: T, kind: 'client', id })).map(
          (r) => r.bucketStart,
        ),
      ),
    );
    expect(left).toEqual([[T - 3600], [T - 86400], [T - 30 * 86400]]);
  });

  it('deletes at most limit rows a batch, until a batch comes back short', async () => {
    await drain('revoked_tokens.expired');
    for (let i = 0; i < 5; i++) {
      await store().revocations.revoke({ jti: uid('jti'), exp: T - 1, revokedAt: T - 10 });
    }
    const batches = [];
    for (let i = 0; i < 4; i++) batches.push(await prune('revoked_tokens.expired', cutoffs(), 2));
    expect(batches).toEqual([2, 2, 1, 0]);
  });
});
