import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { es256Keys, steppingClock, temporaryStore } from '../lib/unit-fixtures.test-helper.js';
import {
  issueAccessToken,
  revokeAccessTokenById,
  scopesOf,
  verifyAccessToken,
} from './access-token.js';

const ISSUER = 'https://gridkey.example';
const input = {
  issuer: ISSUER,
  subject: 'meter-7',
  clientId: 'c'.repeat(32),
  audience: 'https://api.example',
  scopes: ['meter:read', 'meter:write'],
  ttlSeconds: 600,
};

describe('access tokens', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('signs an at+jwt that verifies against the published keys until exp, not at it', async () => {
    const keys = es256Keys();
    const clock = steppingClock();
    const issued = issueAccessToken({ keys, clock }, input);
    expect(decodeProtectedHeader(issued.token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(issued.exp - issued.iat).toBe(600);
    const claims = await verifyAccessToken({ keys, clock }, issued.token, ISSUER);
    expect(claims).toMatchObject({ sub: 'meter-7', jti: issued.jti, client_id: input.clientId });
    expect(scopesOf(claims ?? {})).toEqual(['meter:read', 'meter:write']);
    // Another issuer, another key and the instant of exp are all "not ours".
    expect(await verifyAccessToken({ keys, clock }, issued.token, 'https://other')).toBeUndefined();
    expect(
      await verifyAccessToken({ keys: es256Keys(), clock }, issued.token, ISSUER),
    ).toBeUndefined();
    clock.advance(600);
    expect(await verifyAccessToken({ keys, clock }, issued.token, ISSUER)).toBeUndefined();
  });

  it("reshapes the claims in a profile's dialect, knowing the key's number", () => {
    const keys = es256Keys();
    const issued = issueAccessToken({ keys, clock: steppingClock() }, input, (claims, key) => ({
      ...claims,
      key: key.number,
    }));
    const payload = JSON.parse(
      Buffer.from(issued.token.split('.')[1] ?? '', 'base64url').toString(),
    );
    expect(payload.key).toBe(7);
  });

  it('revokes by jti for as long as any access token may live, refusing a malformed jti', async () => {
    const store = await temporaryStore();
    dispose = () => store.dispose();
    const clock = steppingClock();
    const deps = { store, clock, config: { accessTokenMaxTtlSeconds: 3600 } };
    await revokeAccessTokenById(deps, 'jti-1');
    expect(await store.revocations.isRevoked('jti-1', { clientId: 'x', iat: 0 })).toBe(true);
    await expect(revokeAccessTokenById(deps, 'bad jti')).rejects.toBeInstanceOf(UsageError);
    expect(await store.revocations.isRevoked('bad jti', { clientId: 'x', iat: 0 })).toBe(false);
  });
});
