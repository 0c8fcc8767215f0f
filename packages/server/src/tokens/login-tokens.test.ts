import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidFieldError, UnknownIdError } from '../errors.js';
import { steppingClock, storePerTest } from '../lib/unit-fixtures.test-helper.js';
import { hashSecret } from '../secrets/secret-hash.js';
import { describeLoginToken, LoginTokens, loginTokenStatus } from './login-tokens.js';

describe('LoginTokens', () => {
  const freshStore = storePerTest();

  async function setup() {
    const store = await freshStore();
    const clock = steppingClock();
    const pepper = randomBytes(32);
    return { store, clock, pepper, tokens: new LoginTokens({ store, pepper, clock }) };
  }

  it('shows 64 hex characters once and stores their keyed hash, for a canonical uuid', async () => {
    const { store, pepper, tokens } = await setup();
    const customer = randomUUID();
    const { record, token } = await tokens.create({
      customerUuid: customer.toUpperCase(),
      scopes: ['meter:read', 'meter:read', 'tariff:read'],
    });
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(record).toMatchObject({
      customerUuid: customer,
      subjectUuid: customer,
      tokenHash: hashSecret(pepper, token),
      scopes: ['meter:read', 'tariff:read'],
      expiresAt: null,
      revokedAt: null,
    });
    const rows = await store.db.selectFrom('login_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(await tokens.list({ customerUuid: customer })).toEqual([record]);
    expect(await tokens.list({ customerUuid: randomUUID() })).toEqual([]);
  });

  it('authenticates for its own customer only, and refuses it revoked or expired', async () => {
    const { clock, tokens } = await setup();
    const customer = randomUUID();
    const now = clock.now() / 1000;
    const live = await tokens.create({ customerUuid: customer, scopes: [] });
    const revoked = await tokens.create({ customerUuid: customer, scopes: [] });
    const expiring = await tokens.create({
      customerUuid: customer,
      scopes: [],
      expiresAt: now + 5,
    });
    expect((await tokens.authenticate(customer, live.token))?.id).toBe(live.record.id);
    expect(await tokens.authenticate(randomUUID(), live.token)).toBeUndefined();
    expect(await tokens.authenticate(customer, live.token.toUpperCase())).toBeUndefined();
    expect(await tokens.authenticate(customer, randomBytes(32).toString('hex'))).toBeUndefined();
    expect(await tokens.revoke(revoked.record.id)).toBe('revoked');
    expect(await tokens.revoke(revoked.record.id)).toBe('already_revoked');
    expect(await tokens.authenticate(customer, revoked.token)).toBeUndefined();
    expect((await tokens.authenticate(customer, expiring.token))?.id).toBe(expiring.record.id);
    clock.advance(5);
    expect(await tokens.authenticate(customer, expiring.token)).toBeUndefined();
    await expect(tokens.revoke(revoked.record.id + 1000)).rejects.toThrow(UnknownIdError);
  });

  it('gives a status and a public view without the token or its hash', async () => {
    const { clock, tokens } = await setup();
    const [customer, subject] = [randomUUID(), randomUUID()];
    const now = clock.now() / 1000;
    const { record, token } = await tokens.create({
      customerUuid: customer,
      subjectUuid: subject,
      scopes: ['meter:read'],
      expiresAt: now + 60,
    });
    expect(loginTokenStatus(record, now + 59)).toBe('active');
    expect(loginTokenStatus(record, now + 60)).toBe('expired');
    clock.advance(1);
    await tokens.revoke(record.id);
    const [revoked] = await tokens.list();
    if (revoked === undefined) throw new Error('one login token expected');
    expect(loginTokenStatus(revoked, now + 1)).toBe('revoked');
    const described = describeLoginToken(revoked, now + 1);
    expect(described).toEqual({
      id: record.id,
      customer_uuid: customer,
      subject_uuid: subject,
      scope: 'meter:read',
      status: 'revoked',
      created_at: new Date(now * 1000).toISOString(),
      expires_at: new Date((now + 60) * 1000).toISOString(),
      revoked_at: new Date((now + 1) * 1000).toISOString(),
      last_used_at: null,
    });
    expect(JSON.stringify(described)).not.toContain(token);
    expect(JSON.stringify(described)).not.toContain(record.tokenHash);
  });

  it('refuses a bad uuid as its field and stores nothing', async () => {
    const { tokens } = await setup();
    const fieldOf = (input: Parameters<LoginTokens['create']>[0]) =>
      tokens.create(input).then(
        () => 'created',
        (err: unknown) => (err instanceof InvalidFieldError ? err.field : err),
      );
    expect(await fieldOf({ customerUuid: 'not-a-uuid', scopes: [] })).toBe('customer_uuid');
    expect(await fieldOf({ customerUuid: randomUUID(), subjectUuid: 'x', scopes: [] })).toBe(
      'subject_uuid',
    );
    expect(await tokens.list()).toEqual([]);
  });
});
