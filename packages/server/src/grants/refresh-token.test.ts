import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidGrantError, InvalidScopeError, TooManyRequestsError } from '../errors.js';
import { clientRecord, temporaryStore } from '../lib/unit-fixtures.test-helper.js';
import { hashSecret } from '../secrets/secret-hash.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh-token.js';
import { PASSWORD, userGrantFixture } from './user-grant-fixture.test-helper.js';

const pepper = Buffer.alloc(32, 9);
const settings = {
  accessTokenTtlSeconds: 600,
  accessTokenMaxTtlSeconds: 3600,
  refreshTokenTtlSeconds: 3600,
  refreshTokenFamilyMaxSeconds: 5000,
  refreshTokenReuseGraceSeconds: 0,
  passwordFailureWindowSeconds: 60,
  passwordFailuresPerAddress: 10,
  passwordFailuresPerUsername: 10,
  passwordFailuresPerUsernamePerAddress: 10,
  refreshGrantsPerUserPerMinute: 3,
};

describe('the refresh_token grant', () => {
  let store: Awaited<ReturnType<typeof temporaryStore>>;
  beforeEach(async () => {
    store = await temporaryStore();
  });
  afterEach(async () => {
    await store.dispose();
  });

  async function setup(config = settings) {
    const { clock, events, user, users, deps, call } = await userGrantFixture(store, config, {
      pepper,
    });
    const refresh = refreshTokenGrant(deps);
    const first = await call(passwordGrant(deps), {
      grant_type: 'password',
      username: 'ann@example.com',
      password: PASSWORD,
    });
    const rotate = (token: unknown, extra: Record<string, string> = {}, over = {}) =>
      call(refresh, { grant_type: 'refresh_token', refresh_token: String(token), ...extra }, over);
    return { clock, events, user, users, first, rotate };
  }

  it('rotates: a new refresh token, the old one spent, auth_time kept from the login', async () => {
    const { clock, first, rotate } = await setup();
    clock.advance(30);
    const second = await rotate(first.refresh_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const old = await store.refreshTokens.findByHash(
      hashSecret(pepper, String(first.refresh_token)),
    );
    expect(old?.spentAt).toBe(1_800_000_030);
    const id = decodeJwt(String(second.id_token));
    expect(id.auth_time).toBe(1_800_000_000);
    expect(id.iat).toBe(1_800_000_030);
  });

  it('revokes the whole family when a spent token comes back (RFC 9700 §4.14.2)', async () => {
    const { events, first, rotate } = await setup();
    const second = await rotate(first.refresh_token);
    await expect(rotate(first.refresh_token)).rejects.toBeInstanceOf(InvalidGrantError);
    await expect(rotate(second.refresh_token)).rejects.toBeInstanceOf(InvalidGrantError);
    expect(events.revoked).toHaveLength(1);
    expect(events.revoked[0]?.jti).toMatch(/^family:/);
  });

  it('only refuses a replay inside the grace window, keeping the family', async () => {
    const { first, rotate } = await setup({ ...settings, refreshTokenReuseGraceSeconds: 10 });
    const second = await rotate(first.refresh_token);
    await expect(rotate(first.refresh_token)).rejects.toBeInstanceOf(InvalidGrantError);
    await expect(rotate(second.refresh_token)).resolves.toHaveProperty('refresh_token');
  });

  it('narrows the scope of the access token only, never widens it', async () => {
    const { first, rotate } = await setup();
    const narrow = await rotate(first.refresh_token, { scope: 'meter:read' });
    expect(narrow.scope).toBe('meter:read');
    // The family keeps what was granted: the next rotation may ask for all of it.
    const full = await rotate(narrow.refresh_token);
    expect(full.scope).toBe('meter:read meter:write');
    await expect(rotate(full.refresh_token, { scope: 'admin' })).rejects.toBeInstanceOf(
      InvalidScopeError,
    );
  });

  it('refuses another client, an expired family and a disabled user', async () => {
    const { clock, users, first, rotate } = await setup();
    const other = clientRecord({ clientId: 'e'.repeat(32) });
    await expect(rotate(first.refresh_token, {}, { client: other })).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
    const second = await rotate(first.refresh_token);
    await users.disable('ann@example.com');
    await expect(rotate(second.refresh_token)).rejects.toBeInstanceOf(InvalidGrantError);
    clock.advance(5000);
    await expect(rotate(second.refresh_token)).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it('holds a looping client to its budget and leaves the presented token usable', async () => {
    const { first, rotate } = await setup();
    let token = first.refresh_token;
    for (let i = 0; i < 3; i++) token = (await rotate(token)).refresh_token;
    await expect(rotate(token)).rejects.toBeInstanceOf(TooManyRequestsError);
    // Refused before anything was written: the token is not spent.
    const stored = await store.refreshTokens.findByHash(hashSecret(pepper, String(token)));
    expect(stored?.spentAt).toBeNull();
  });
});
