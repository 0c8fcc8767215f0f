import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { InvalidFieldError, UsageError } from '../errors.js';
import { signingKeys, steppingClock, storePerTest } from '../lib/unit-fixtures.test-helper.js';
import { hashSecret } from '../secrets/secret-hash.js';
import { describePat, isPatShaped, PAT_TYP, Pats, patStatus } from './pats.js';

const ISSUER = 'https://gridkey.example';
const TTL = 86_400;
// RSA key generation is slow, and a key holds no state: one for every test.
const keys = signingKeys('RS256');

describe('Pats', () => {
  const freshStore = storePerTest();

  async function setup() {
    const store = await freshStore();
    const clock = steppingClock();
    const pepper = randomBytes(32);
    const settings = {
      issuer: ISSUER,
      roles: { operator: ['meter:read', 'tariff:write'] },
      defaultTtlSeconds: TTL,
      lastUsedDebounceSeconds: 60,
    };
    const pats = new Pats({ store, pepper, clock, keys, settings });
    return { clock, pepper, pats, now: clock.now() / 1000 };
  }

  it('signs an RS256 pat+jwt, stored as its keyed hash and pending until authorised', async () => {
    const { clock, pepper, pats, now } = await setup();
    const { record, token } = await pats.create({ name: ' deploy bot ', role: 'operator' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: keys.kid, typ: PAT_TYP });
    expect(isPatShaped(token)).toBe(true);
    expect(isPatShaped('not.a.jwt')).toBe(false);
    const { payload } = await jwtVerify(token, keys.verificationKeys(), {
      issuer: ISSUER,
      typ: PAT_TYP,
      algorithms: ['RS256'],
      currentDate: new Date(clock.now()),
    });
    expect(payload).toMatchObject({ sub: record.id, jti: record.jti, name: 'deploy bot' });
    expect(payload).toMatchObject({ role: 'operator', scope: 'meter:read tariff:write' });
    expect([payload.iat, payload.exp]).toEqual([now, now + TTL]);
    expect(record.tokenHash).toBe(hashSecret(pepper, token));
    expect(patStatus(record, now)).toBe('pending');
    expect(await pats.authenticate(token, 'api')).toEqual({ refused: 'the token is pending' });
    expect(await pats.find(token)).toEqual(record);
    expect(await pats.find(`${token}x`)).toBeUndefined();
  });

  it('authorises per interface and records the last use', async () => {
    const { pats, now } = await setup();
    const { record, token } = await pats.create({ name: 'web', role: 'viewer' });
    await expect(pats.authorise(record.id, { api: false, web: false })).rejects.toThrow(
      InvalidFieldError,
    );
    const authorised = await pats.authorise(record.id, { api: false, web: true });
    expect(patStatus(authorised, now)).toBe('active');
    expect(await pats.authenticate(token, 'api')).toEqual({
      refused: 'the token is not authorised for the JSON API',
    });
    expect(await pats.authenticate(token, 'web')).toMatchObject({ pat: { id: record.id } });
    await vi.waitFor(async () => expect((await pats.get(record.id)).lastUsedAt).toBe(now));
    await pats.authorise(record.id, { api: true, web: true });
    expect(await pats.authenticate(token, 'api')).toMatchObject({ pat: { id: record.id } });
  });

  it('shortens, never lengthens, the authorised lifetime, and expires on the clock', async () => {
    const { clock, pats, now } = await setup();
    const { record, token } = await pats.create({ name: 'short', role: 'user' });
    await expect(
      pats.authorise(record.id, { api: true, web: false, until: now + TTL + 1 }),
    ).rejects.toMatchObject({ field: 'expires' });
    await pats.authorise(record.id, { api: true, web: false, until: now + 100 });
    const again = await pats.authorise(record.id, { api: true, web: true, until: now + 500 });
    expect(again.authorisedUntil).toBe(now + 100);
    expect(describePat(again, now).expires_at).toBe(new Date((now + 100) * 1000).toISOString());
    clock.advance(99);
    expect(await pats.authenticate(token, 'web')).toMatchObject({ pat: { id: record.id } });
    clock.advance(1);
    expect(await pats.authenticate(token, 'web')).toEqual({ refused: 'the token is expired' });
    await expect(pats.authorise(record.id, { api: true, web: true })).rejects.toThrow(UsageError);
  });

  it('expires at its own expiry, and refuses a revoked token', async () => {
    const { clock, pats, now } = await setup();
    const expiring = await pats.create({ name: 'a', role: 'viewer', expiresAt: now + 10 });
    const revoked = await pats.create({ name: 'b', role: 'viewer' });
    await pats.authorise(expiring.record.id, { api: true, web: false });
    await pats.authorise(revoked.record.id, { api: true, web: false });
    const after = await pats.revoke(revoked.record.id);
    expect([after.revokedAt, patStatus(after, now)]).toEqual([now, 'revoked']);
    expect(await pats.authenticate(revoked.token, 'api')).toEqual({
      refused: 'the token is revoked',
    });
    await expect(pats.authorise(revoked.record.id, { api: true, web: true })).rejects.toThrow(
      'is revoked',
    );
    clock.advance(10);
    expect(await pats.authenticate(expiring.token, 'api')).toEqual({
      refused: 'the token is expired',
    });
    expect(describePat(await pats.get(expiring.record.id), now + 10).status).toBe('expired');
  });

  it('takes its scopes from the role, narrowed by --scope, and refuses unknown roles', async () => {
    const { pats } = await setup();
    const fieldOf = (input: Parameters<Pats['create']>[0]) =>
      pats.create(input).then(
        ({ record }) => record.scopes,
        (err: unknown) => (err instanceof InvalidFieldError ? err.field : err),
      );
    expect(await fieldOf({ name: 'v', role: 'viewer' })).toEqual(['read']);
    expect(await fieldOf({ name: 'o', role: 'operator', scopes: ['meter:read'] })).toEqual([
      'meter:read',
    ]);
    expect(await fieldOf({ name: 'a', role: 'admin', scopes: ['anything'] })).toEqual(['anything']);
    expect(await fieldOf({ name: 'o', role: 'operator', scopes: ['write'] })).toBe('scope');
    expect(await fieldOf({ name: 'x', role: 'owner' })).toBe('role');
    expect(await fieldOf({ name: 'x', role: 'constructor' })).toBe('role');
    expect(await fieldOf({ name: ' ', role: 'viewer' })).toBe('name');
    expect((await pats.list()).map((p) => p.name).sort()).toEqual(['a', 'o', 'v']);
  });
});
