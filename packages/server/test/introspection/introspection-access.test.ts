import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, exchange, exchangeBody } from '../../../../test/helpers/json-api.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  clientCredentials,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

type Credentials = { id: string; secret: string };

// RFC 7662 §4: a client learns of its own tokens and of those addressed to
// it; only a resource server learns of every token.
describe.each(storeTargets())('who may introspect what, on $kind', (target) => {
  let server: TestServer;
  let issuer: Credentials;
  let bystander: Credentials;
  let addressee: Credentials;
  let resourceServer: Credentials;
  let accessToken: string;
  let addressedToken: string;
  let loginDerivedToken: string;
  let pat: string;
  let adminPat: string;
  let apiKey: string;

  beforeAll(async () => {
    server = await startTestServer(target, { config: { profiles: ['enectiva'] } });
    bystander = await server.client({ name: 'bystander', scopes: ['read'] });
    addressee = await server.client({ name: 'addressee', scopes: ['read'] });
    resourceServer = await server.client({ name: 'rs', scopes: [], resourceServer: true });
    issuer = await server.client({
      name: 'issuer',
      scopes: ['read'],
      audiences: ['https://api.example.test', addressee.id],
    });
    accessToken = (await clientCredentials(server, issuer)).json.access_token as string;
    addressedToken = (await clientCredentials(server, issuer, { form: { audience: addressee.id } }))
      .json.access_token as string;
    const login = await server.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: ['read'] });
    loginDerivedToken =
      (await exchange(server.url, exchangeBody(CUSTOMER, login.token))).json?.data.attributes
        .encoded ?? '';
    const created = await server.gk.pats.create({ name: 'meter app', role: 'viewer' });
    await server.gk.pats.authorise(created.record.id, { api: true, web: false });
    pat = created.token;
    adminPat = (await server.gk.pats.createAdminToken()).token;
    apiKey = (await server.gk.apiKeys.create({ name: 'partner', scopes: ['read'] })).key;
  });
  afterAll(() => server.close());

  const introspect = async (as: Credentials, token: string) => {
    const res = await postForm(
      `${server.url}/oauth2/introspect`,
      { token },
      { authorization: basic(as.id, as.secret) },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return res.json as Record<string, unknown>;
  };

  it('answers another client’s access token with active: false only', async () => {
    expect(await introspect(bystander, accessToken)).toEqual({ active: false });
    expect(await introspect(addressee, accessToken)).toEqual({ active: false });
  });

  it('shows a client its own access token', async () => {
    expect(await introspect(issuer, accessToken)).toMatchObject({
      active: true,
      client_id: issuer.id,
      aud: 'https://api.example.test',
    });
  });

  it('shows a client a token whose audience names it', async () => {
    expect(await introspect(addressee, addressedToken)).toMatchObject({
      active: true,
      client_id: issuer.id,
      aud: addressee.id,
    });
    expect(await introspect(bystander, addressedToken)).toEqual({ active: false });
  });

  it('shows a resource server every access token, a login token’s too', async () => {
    expect(await introspect(resourceServer, accessToken)).toMatchObject({
      active: true,
      client_id: issuer.id,
    });
    expect(await introspect(resourceServer, loginDerivedToken)).toMatchObject({
      active: true,
      scope: 'read',
    });
    expect(await introspect(bystander, loginDerivedToken)).toEqual({ active: false });
  });

  it('shows PATs and API keys to a resource server only', async () => {
    expect(await introspect(resourceServer, pat)).toMatchObject({
      active: true,
      token_type: 'pat',
    });
    expect(await introspect(resourceServer, adminPat)).toMatchObject({
      active: true,
      token_type: 'pat',
      scope: '*',
    });
    expect(await introspect(resourceServer, apiKey)).toMatchObject({
      active: true,
      token_type: 'api_key',
    });
    for (const token of [pat, adminPat, apiKey]) {
      expect(await introspect(bystander, token)).toEqual({ active: false });
      expect(await introspect(issuer, token)).toEqual({ active: false });
    }
  });
});
