import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidGrantError, InvalidRequestError, TooManyRequestsError } from '../errors.js';
import { clientRecord, temporaryStore } from '../lib/unit-fixtures.test-helper.js';
import { hashSecret } from '../secrets/secret-hash.js';
import { passwordGrant } from './password.js';
import { PASSWORD, userGrantFixture } from './user-grant-fixture.test-helper.js';

const pepper = Buffer.alloc(32, 7);
const config = {
  accessTokenTtlSeconds: 600,
  accessTokenMaxTtlSeconds: 3600,
  refreshTokenTtlSeconds: 86400,
  refreshTokenFamilyMaxSeconds: 7 * 86400,
  refreshTokenReuseGraceSeconds: 0,
  passwordFailureWindowSeconds: 60,
  passwordFailuresPerAddress: 3,
  passwordFailuresPerUsername: 100,
  passwordFailuresPerUsernamePerAddress: 100,
  refreshGrantsPerUserPerMinute: 100,
};

describe('the password grant', () => {
  let store: Awaited<ReturnType<typeof temporaryStore>>;
  beforeEach(async () => {
    store = await temporaryStore();
  });
  afterEach(async () => {
    await store.dispose();
  });

  async function setup(client = clientRecord()) {
    const { user, users, events, deps, call } = await userGrantFixture(store, config, {
      client,
      email: 'Ann@Example.com',
      pepper,
    });
    const grant = passwordGrant(deps);
    const login = (username: string, password: string, address = '10.0.0.1') =>
      call(grant, { grant_type: 'password', username, password }, { address });
    return { user, users, events, login };
  }

  it('issues access, refresh and ID tokens for the right password, storing the refresh token as a keyed hash', async () => {
    const { user, events, login } = await setup();
    const response = await login('ann@example.com', PASSWORD);
    expect(decodeJwt(response.access_token)).toMatchObject({
      sub: user.id,
      scope: 'meter:read meter:write',
    });
    const id = decodeJwt(String(response.id_token));
    expect(id).toMatchObject({
      sub: user.id,
      email: 'ann@example.com',
      aud: clientRecord().clientId,
    });
    expect(id.auth_time).toBe(id.iat);
    const refresh = String(response.refresh_token);
    expect(refresh).toMatch(/^gkr_/);
    const stored = await store.refreshTokens.findByHash(hashSecret(pepper, refresh));
    expect(stored).toMatchObject({ userId: user.id, spentAt: null, revokedAt: null });
    expect(events.issued.map((e) => e.grantType)).toEqual(['password']);
  });

  it('gives no refresh token to a client without the refresh_token grant (RFC 6749 §1.5)', async () => {
    const { login } = await setup(clientRecord({ grantTypes: ['password'] }));
    const response = await login('ann@example.com', PASSWORD);
    expect(response.refresh_token).toBeUndefined();
    expect(response.id_token).toBeDefined();
  });

  it('answers a wrong password and an unknown user alike, and stops an address that keeps failing', async () => {
    const { login } = await setup();
    await expect(login('ann@example.com', 'wrong password!')).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
    await expect(login('nobody@example.com', PASSWORD)).rejects.toBeInstanceOf(InvalidGrantError);
    await expect(login('ann@example.com', 'wrong again!!')).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
    // Three failures spent the address's budget: even the right password waits.
    await expect(login('ann@example.com', PASSWORD)).rejects.toBeInstanceOf(TooManyRequestsError);
    // Another address logs in.
    await expect(login('ann@example.com', PASSWORD, '10.0.0.2')).resolves.toHaveProperty(
      'access_token',
    );
  });

  it('gives back what a right password reserved', async () => {
    const { login } = await setup();
    for (let i = 0; i < 5; i++) await login('ann@example.com', PASSWORD);
    await expect(login('ann@example.com', PASSWORD)).resolves.toHaveProperty('access_token');
  });

  it('refuses a disabled user and an overlong password without checking it', async () => {
    const { users, login } = await setup();
    await expect(login('ann@example.com', 'x'.repeat(2000))).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await users.disable('ann@example.com');
    await expect(login('ann@example.com', PASSWORD)).rejects.toBeInstanceOf(InvalidGrantError);
  });
});
