import { afterEach, describe, expect, it } from 'vitest';
import { clientRecord, temporaryStore, userRecord } from '../lib/unit-fixtures.test-helper.js';
import { hashSecret } from '../secrets/secret-hash.js';
import { findRefreshToken, isLive, newRefreshToken } from './refresh-tokens.js';

const pepper = Buffer.alloc(32, 5);
const deps = {
  secrets: { pepper },
  config: { refreshTokenTtlSeconds: 3600, refreshTokenFamilyMaxSeconds: 5000 },
};
const input = {
  clientId: 'c'.repeat(32),
  userId: 'u-1',
  scopes: ['read'],
  authTime: 100,
  issuedAt: 1000,
};

describe('refresh tokens', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('are prefixed, stored as a keyed hash, and bounded by their own and their family’s lifetime', () => {
    const first = newRefreshToken(deps, input);
    expect(first.token).toMatch(/^gkr_[A-Za-z0-9_-]{43}$/);
    expect(first.record.tokenHash).toBe(hashSecret(pepper, first.token));
    expect(first.record).toMatchObject({ expiresAt: 4600, familyExpiresAt: 6000, authTime: 100 });
    // A successor stays in the family and never outlives it.
    const next = newRefreshToken(deps, { ...input, issuedAt: 4000 }, first.record);
    expect(next.record.familyId).toBe(first.record.familyId);
    expect(next.record.expiresAt).toBe(6000);
    expect(next.token).not.toBe(first.token);
  });

  it('is live until spent, revoked or expired', () => {
    const { record } = newRefreshToken(deps, input);
    expect(isLive(record, 1000)).toBe(true);
    expect(isLive(record, 4600)).toBe(false);
    expect(isLive({ ...record, spentAt: 1001 }, 1002)).toBe(false);
    expect(isLive({ ...record, revokedAt: 1001 }, 1002)).toBe(false);
  });

  it('are found by the presented token only, and a token of another shape is not looked up', async () => {
    const store = await temporaryStore();
    dispose = () => store.dispose();
    await store.clients.insert(clientRecord({ clientId: input.clientId }));
    await store.users.insert(userRecord());
    const { token, record } = newRefreshToken(deps, input);
    await store.refreshTokens.insert(record, { jti: 'j-1', exp: 2000 });
    const lookup = { secrets: { pepper }, store };
    expect((await findRefreshToken(lookup, token))?.id).toBe(record.id);
    expect(
      await findRefreshToken({ ...lookup, secrets: { pepper: Buffer.alloc(32, 6) } }, token),
    ).toBeUndefined();
    expect(await findRefreshToken(lookup, 'not-a-refresh-token')).toBeUndefined();
  });
});
