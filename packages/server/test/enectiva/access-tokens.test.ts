import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, exchange, exchangeBody, JSON_API } from '../../../../test/helpers/json-api.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  FakeClock,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

describe.each(storeTargets())('POST /access_tokens on $kind', (target) => {
  let server: TestServer;
  const clock = new FakeClock();
  let token: { id: number; token: string };
  let subjectToken: { id: number; token: string };
  let resourceServer: { id: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(target, { clock, config: { profiles: ['enectiva'] } });
    const created = await server.gk.loginTokens.create({
      customerUuid: CUSTOMER,
      scopes: ['entity_consumptions', 'meters'],
    });
    token = { id: created.record.id, token: created.token };
    const withSubject = await server.gk.loginTokens.create({
      customerUuid: CUSTOMER,
      subjectUuid: '5123d8ef-b501-4c71-b188-83ac399d66b9',
      scopes: ['readings'],
    });
    subjectToken = { id: withSubject.record.id, token: withSubject.token };
    resourceServer = await server.client({ name: 'rs', resourceServer: true });
  });
  afterAll(() => server.close());

  const introspect = (t: string) =>
    postForm(
      `${server.url}/oauth2/introspect`,
      { token: t },
      { authorization: basic(resourceServer.id, resourceServer.secret) },
    );

  it('answers the seed’s request (including its //access_tokens path) with the documented document', async () => {
    const res = await fetch(`${server.url}//access_tokens`, {
      method: 'POST',
      headers: { Accept: JSON_API, 'Content-Type': JSON_API },
      body: exchangeBody(CUSTOMER, token.token),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe(JSON_API);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const doc = (await res.json()) as {
      data: { type: string; id: string; attributes: { encoded: string } };
    };
    expect(Object.keys(doc)).toEqual(['data']);
    expect(doc.data.type).toBe('access_tokens');
    expect(doc.data.id).toMatch(/^[0-9a-f]{16}$/);
    expect(Object.keys(doc.data.attributes)).toEqual(['encoded']);

    const jwt = doc.data.attributes.encoded;
    const header = decodeProtectedHeader(jwt);
    expect(header.alg).toBe('ES256');
    expect(typeof header.kid).toBe('string');
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(jwt, jwks, {
      currentDate: new Date(clock.now()),
      issuer: server.url,
    });
    expect(payload).toMatchObject({
      scp: ['entity_consumptions', 'meters'],
      sub: CUSTOMER,
      lti: token.id,
      jti: doc.data.id,
      jit: doc.data.id,
      iss: server.url,
    });
    expect(Number.isInteger(payload.exp)).toBe(true);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    const keys = await server.gk.store.signingKeys.list();
    expect(payload.key).toBe(keys.find((k) => k.kid === header.kid)?.number);
    expect(payload.key).toBeGreaterThanOrEqual(1);
  });

  it('uses the login token’s subject uuid as sub', async () => {
    const res = await exchange(server.url, exchangeBody(CUSTOMER, subjectToken.token));
    expect(res.status).toBe(201);
    const claims = decodeJwt(res.json?.data.attributes.encoded ?? '');
    expect(claims).toMatchObject({
      sub: '5123d8ef-b501-4c71-b188-83ac399d66b9',
      scp: ['readings'],
      lti: subjectToken.id,
    });
  });

  it('is invalid from the second of exp on, with no leeway', async () => {
    const res = await exchange(server.url, exchangeBody(CUSTOMER, token.token));
    const jwt = res.json?.data.attributes.encoded ?? '';
    const exp = decodeJwt(jwt).exp as number;
    const start = clock.now();
    try {
      clock.advance(exp - Math.floor(clock.now() / 1000) - 1);
      expect((await introspect(jwt)).json.active).toBe(true);
      clock.advance(1);
      expect(Math.floor(clock.now() / 1000)).toBe(exp);
      expect(await introspect(jwt).then((r) => r.json)).toEqual({ active: false });
      await expect(
        jwtVerify(jwt, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), {
          currentDate: new Date(clock.now()),
        }),
      ).rejects.toThrow(/"exp" claim timestamp check failed/);
    } finally {
      clock.advance((start - clock.now()) / 1000);
    }
  });

  it('introspects an exchanged token with its scopes and no client_id', async () => {
    const res = await exchange(server.url, exchangeBody(CUSTOMER, token.token));
    const intro = await introspect(res.json?.data.attributes.encoded ?? '');
    expect(intro.json).toMatchObject({
      active: true,
      scope: 'entity_consumptions meters',
      sub: CUSTOMER,
      jti: res.json?.data.id,
    });
    expect(intro.json).not.toHaveProperty('client_id');
  });
});
