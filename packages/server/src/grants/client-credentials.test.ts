import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidScopeError, InvalidTargetError } from '../errors.js';
import {
  clientRecord,
  es256Keys,
  params,
  recordingEvents,
  steppingClock,
  temporaryStore,
} from '../lib/unit-fixtures.test-helper.js';
import { clientCredentialsGrant } from './client-credentials.js';
import type { GrantRequest } from './grant.js';
import { TokenReuseCache } from './token-reuse.js';

const ISSUER = 'https://gridkey.example';
const config = { accessTokenTtlSeconds: 600, accessTokenMaxTtlSeconds: 3600 };

function setup(store?: Awaited<ReturnType<typeof temporaryStore>>) {
  const keys = es256Keys();
  const clock = steppingClock();
  const events = recordingEvents();
  const reuse = new TokenReuseCache({
    clock,
    store: store ?? { revocations: { isRevoked: async () => false } },
    maxEntries: 10,
  });
  const grant = clientCredentialsGrant({ keys, clock, config, events: events.bus, reuse });
  const request = (over: Partial<GrantRequest> = {}, fields: Record<string, string> = {}) =>
    grant.handle({
      client: clientRecord(),
      params: params({ grant_type: 'client_credentials', ...fields }),
      profile: { name: 'standard' },
      issuer: ISSUER,
      address: '127.0.0.1',
      ...over,
    });
  return { keys, clock, events, request };
}

describe('the client_credentials grant', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('signs an RFC 9068 at+jwt naming the client, for every scope it may have', async () => {
    const { keys, clock, events, request } = setup();
    const response = await request();
    expect(response).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    expect(response.scope).toBe('meter:read meter:write');
    expect(decodeProtectedHeader(response.access_token)).toEqual({
      alg: 'ES256',
      kid: keys.kid,
      typ: 'at+jwt',
    });
    const { payload } = await jwtVerify(response.access_token, keys.verificationKeys(), {
      currentDate: new Date(clock.now()),
      issuer: ISSUER,
      audience: ISSUER,
    });
    const client = clientRecord();
    expect(payload).toMatchObject({ sub: client.clientId, client_id: client.clientId });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
    expect(events.issued).toEqual([
      {
        grantType: 'client_credentials',
        clientId: client.clientId,
        jti: payload.jti,
        kind: 'access_token',
      },
    ]);
  });

  it('takes the client lifetime over the profile one over the server one, capped at the maximum', async () => {
    const { request } = setup();
    expect(
      (await request({ profile: { name: 'p', accessTokenTtlSeconds: 86400 } })).expires_in,
    ).toBe(3600);
    expect((await request({ profile: { name: 'p', accessTokenTtlSeconds: 120 } })).expires_in).toBe(
      120,
    );
    const own = clientRecord({ accessTokenTtlSeconds: 60 });
    expect(
      (await request({ client: own, profile: { name: 'p', accessTokenTtlSeconds: 120 } }))
        .expires_in,
    ).toBe(60);
  });

  it('narrows the scope on request and refuses more than the client may have (RFC 6749 §3.3)', async () => {
    const { request } = setup();
    expect((await request({}, { scope: 'meter:read' })).scope).toBe('meter:read');
    await expect(request({}, { scope: 'meter:read admin' })).rejects.toBeInstanceOf(
      InvalidScopeError,
    );
  });

  it('issues for a registered audience only', async () => {
    const { keys, request } = setup();
    const client = clientRecord({ audiences: ['https://api.one', 'https://api.two'] });
    const second = await request({ client }, { audience: 'https://api.two' });
    const { payload } = await jwtVerify(second.access_token, keys.verificationKeys(), {
      currentDate: new Date(1_800_000_000_000),
    });
    expect(payload.aud).toBe('https://api.two');
    await expect(request({ client }, { audience: 'https://elsewhere' })).rejects.toBeInstanceOf(
      InvalidTargetError,
    );
  });

  it('hands a reuse_tokens client its live token again, with the time it has left, until it is revoked', async () => {
    const store = await temporaryStore();
    dispose = () => store.dispose();
    const { clock, events, request } = setup(store);
    const client = clientRecord({ reuseTokens: true });
    const first = await request({ client });
    clock.advance(100);
    const again = await request({ client });
    expect(again.access_token).toBe(first.access_token);
    expect(again.expires_in).toBe(500);
    expect(events.issued).toHaveLength(1);
    // Another client is not handed it.
    const other = await request({
      client: clientRecord({ clientId: 'f'.repeat(32), reuseTokens: true }),
    });
    expect(other.access_token).not.toBe(first.access_token);
    const jti = events.issued[0]?.jti ?? '';
    await store.revocations.revoke({ jti, exp: 1_800_000_600, revokedAt: 1_800_000_100 });
    const fresh = await request({ client });
    expect(fresh.access_token).not.toBe(first.access_token);
    expect(fresh.expires_in).toBe(600);
  });
});
