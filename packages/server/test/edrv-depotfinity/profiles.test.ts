import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

describe.each(storeTargets())('edrv and depotfinity profiles together on $kind', (target) => {
  let server: TestServer;
  let edrv: { id: string; secret: string };
  let depot: { id: string; secret: string };
  let depotShort: { id: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(target, { config: { profiles: ['edrv', 'depotfinity'] } });
    edrv = await server.client({
      name: 'edrv app',
      scopes: ['read:x', 'write:y'],
      audiences: ['https://api.edrv.io'],
      authMethod: 'client_secret_post',
    });
    depot = await server.client({ name: 'depot app', scopes: ['charging'] });
    depotShort = await server.client({ name: 'depot short', accessTokenTtlSeconds: 3600 });
  });
  afterAll(() => server.close());

  it('answers the edrv seed’s request at /oauth/token as documented', async () => {
    // The seed's `request` options: form with grant_type, client_id, client_secret, audience.
    const res = await postForm(`${server.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: edrv.id,
      client_secret: edrv.secret,
      audience: 'https://api.edrv.io',
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      expires_in: 86400,
      token_type: 'Bearer',
      scope: 'read:x write:y',
    });
    const claims = decodeJwt(res.json.access_token as string);
    expect(claims).toMatchObject({ aud: 'https://api.edrv.io', client_id: edrv.id });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(86400);
  });

  it('answers the depotfinity seed’s request at /oauth2/token as documented', async () => {
    const res = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { accept: 'application/json', authorization: basic(depot.id, depot.secret) },
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ expires_in: 86400, token_type: 'Bearer' });
    expect(typeof res.json.access_token).toBe('string');
  });

  it('lets a client’s own --ttl win over the depotfinity default', async () => {
    const res = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(depotShort.id, depotShort.secret) },
    );
    expect(res.json.expires_in).toBe(3600);
  });

  it('answers every invalid depotfinity request 403 with an error body', async () => {
    const url = `${server.url}/oauth2/token`;
    const cases = [
      await postForm(
        url,
        { grant_type: 'client_credentials' },
        { authorization: basic(depot.id, 'wrong') },
      ),
      await postForm(
        url,
        { grant_type: 'client_credentials' },
        { authorization: basic('nobody', 'x') },
      ),
      await postForm(
        url,
        { grant_type: 'authorization_code' },
        { authorization: basic(depot.id, depot.secret) },
      ),
      await postForm(url, {}, { authorization: basic(depot.id, depot.secret) }),
      await postForm(
        url,
        { grant_type: 'client_credentials', scope: 'admin' },
        { authorization: basic(depot.id, depot.secret) },
      ),
      await postForm(url, 'grant_type=client_credentials&grant_type=client_credentials', {
        authorization: basic(depot.id, depot.secret),
      }),
    ];
    const codes = [];
    for (const res of cases) {
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(typeof res.json.error).toBe('string');
      expect(typeof res.json.error_description).toBe('string');
      codes.push(res.json.error);
    }
    expect(codes).toEqual([
      'invalid_client',
      'invalid_client',
      'unsupported_grant_type',
      'invalid_request',
      'invalid_scope',
      'invalid_request',
    ]);
    const json = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(403);
  });

  it('keeps the standard behaviour on the path no profile claims', async () => {
    const res = await postForm(
      `${server.url}/v2/token`,
      { grant_type: 'client_credentials' },
      {
        authorization: basic(depot.id, 'wrong'),
      },
    );
    expect(res.status).toBe(401);
    expect(res.json.expires_in).toBeUndefined();
    const ok = await postForm(
      `${server.url}/v2/token`,
      { grant_type: 'client_credentials' },
      {
        authorization: basic(depot.id, depot.secret),
      },
    );
    expect(ok.json.expires_in).toBe(3600);
  });
});
