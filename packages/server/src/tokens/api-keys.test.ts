import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidFieldError, UnknownIdError, UsageError } from '../errors.js';
import { steppingClock, storePerTest } from '../lib/unit-fixtures.test-helper.js';
import { hashSecret } from '../secrets/secret-hash.js';
import { ApiKeys, apiKeyStatus, describeApiKey, isWellFormedApiKey } from './api-keys.js';

/** The same key with one character of its random part replaced. */
const flipped = (key: string, at = 10) =>
  `${key.slice(0, at)}${key[at] === 'a' ? 'b' : 'a'}${key.slice(at + 1)}`;

describe('ApiKeys', () => {
  const freshStore = storePerTest();

  async function setup() {
    const store = await freshStore();
    const clock = steppingClock();
    const pepper = randomBytes(32);
    return { store, clock, pepper, apiKeys: new ApiKeys({ store, pepper, clock }) };
  }

  it('shows the key once and stores only its HMAC-SHA-256 under the pepper', async () => {
    const { store, pepper, apiKeys } = await setup();
    const { record, key } = await apiKeys.create({ name: 'meter sync', scopes: ['read', 'read'] });
    expect(key).toMatch(/^gk_[0-9A-Za-z]{49}$/);
    expect(record.keyHash).toBe(hashSecret(pepper, key));
    expect(record.keyHash).not.toBe(hashSecret(randomBytes(32), key));
    expect(record.scopes).toEqual(['read']);
    const rows = await store.db.selectFrom('api_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.key_hash).toBe(hashSecret(pepper, key));
    expect(JSON.stringify(rows)).not.toContain(key.slice(3, -4));
    expect(await apiKeys.list()).toEqual([record]);
  });

  it('checks the gk_ prefix and checksum offline', async () => {
    const { apiKeys } = await setup();
    const { key } = await apiKeys.create({ name: 'k', scopes: [] });
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(isWellFormedApiKey(flipped(key))).toBe(false);
    expect(isWellFormedApiKey(flipped(key, key.length - 1))).toBe(false);
    expect(isWellFormedApiKey(`xk_${key.slice(3)}`)).toBe(false);
    expect(await apiKeys.authenticate(flipped(key))).toBeUndefined();
  });

  it('authenticates the live key and refuses a revoked or expired one', async () => {
    const { clock, apiKeys } = await setup();
    const live = await apiKeys.create({ name: 'live', scopes: ['read'] });
    const revoked = await apiKeys.create({ name: 'revoked', scopes: [] });
    const now = clock.now() / 1000;
    const expiring = await apiKeys.create({ name: 'expiring', scopes: [], expiresAt: now + 60 });
    expect((await apiKeys.authenticate(live.key))?.id).toBe(live.record.id);
    expect(await apiKeys.revoke(revoked.record.id)).toBe('revoked');
    expect(await apiKeys.revoke(revoked.record.id)).toBe('already_revoked');
    expect(await apiKeys.authenticate(revoked.key)).toBeUndefined();
    expect((await apiKeys.authenticate(expiring.key))?.id).toBe(expiring.record.id);
    clock.advance(60);
    expect(await apiKeys.authenticate(expiring.key)).toBeUndefined();
    expect((await apiKeys.authenticate(live.key))?.id).toBe(live.record.id);
    await expect(apiKeys.revoke('no-such-id')).rejects.toThrow(UnknownIdError);
  });

  it('lists in creation order and describes with status, never the key', async () => {
    const { clock, apiKeys } = await setup();
    const now = clock.now() / 1000;
    const zeta = await apiKeys.create({ name: 'zeta', scopes: ['read', 'write'] });
    clock.advance(1);
    const alpha = await apiKeys.create({ name: 'alpha', scopes: [], expiresAt: now + 10 });
    await apiKeys.revoke(zeta.record.id);
    const [first, second] = await apiKeys.list();
    expect([first?.name, second?.name]).toEqual(['zeta', 'alpha']);
    if (first === undefined || second === undefined) throw new Error('two keys expected');
    expect(apiKeyStatus(second, now + 9)).toBe('active');
    expect(apiKeyStatus(second, now + 10)).toBe('expired');
    expect(apiKeyStatus(first, now)).toBe('revoked');
    const described = describeApiKey(first, now + 1);
    expect(described).toEqual({
      id: zeta.record.id,
      name: 'zeta',
      key_hint: `${zeta.key.slice(0, 7)}…${zeta.key.slice(-4)}`,
      scope: 'read write',
      status: 'revoked',
      created_at: new Date(now * 1000).toISOString(),
      expires_at: null,
      revoked_at: new Date((now + 1) * 1000).toISOString(),
      last_used_at: null,
    });
    expect(JSON.stringify(describeApiKey(second, now))).not.toContain(alpha.key);
  });

  it('refuses a bad name as the name field and stores nothing', async () => {
    const { apiKeys } = await setup();
    for (const name of ['', '   ', 'x'.repeat(201)]) {
      const refusal = await apiKeys.create({ name, scopes: [] }).catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(InvalidFieldError);
      expect((refusal as InvalidFieldError).field).toBe('name');
    }
    await expect(apiKeys.create({ name: 'bad\u202Ename', scopes: [] })).rejects.toThrow(UsageError);
    expect(await apiKeys.list()).toEqual([]);
    expect((await apiKeys.create({ name: ` ${'x'.repeat(200)} `, scopes: [] })).record.name).toBe(
      'x'.repeat(200),
    );
  });
});
