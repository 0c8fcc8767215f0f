import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

type Credentials = { id: string; secret: string };

// RFC 7009 §2.2.1: a kind of token the endpoint does not revoke is refused,
// not answered 200 as if it had been.
describe.each(storeTargets())('revocation of PATs and API keys, on $kind', (target) => {
  let server: TestServer;
  let client: Credentials;
  let resourceServer: Credentials;

  beforeAll(async () => {
    server = await startTestServer(target);
    client = await server.client({ name: 'app', scopes: ['read'] });
    resourceServer = await server.client({ name: 'rs', scopes: [], resourceServer: true });
  });
  afterAll(() => server.close());

  const revoke = (token: string) =>
    postForm(
      `${server.url}/oauth2/revoke`,
      { token },
      { authorization: basic(client.id, client.secret) },
    );
  const introspect = async (token: string) =>
    (
      await postForm(
        `${server.url}/oauth2/introspect`,
        { token },
        { authorization: basic(resourceServer.id, resourceServer.secret) },
      )
    ).json as Record<string, unknown>;

  it('refuses a PAT with unsupported_token_type, and the PAT still works', async () => {
    const { token } = await server.gk.pats.createAdminToken('ops');
    const res = await revoke(token);
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json).toEqual({
      error: 'unsupported_token_type',
      error_description: expect.stringContaining('gridkey pat revoke'),
    });
    expect(await introspect(token)).toMatchObject({ active: true, token_type: 'pat' });
    const session = await fetch(`${server.url}/admin/api/session`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(session.status).toBe(200);
  });

  it('refuses an API key with unsupported_token_type, and the key still works', async () => {
    const { key } = await server.gk.apiKeys.create({ name: 'partner', scopes: ['read'] });
    const res = await revoke(key);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: 'unsupported_token_type',
      error_description: expect.stringContaining('gridkey apikey revoke'),
    });
    expect(await introspect(key)).toMatchObject({ active: true, token_type: 'api_key' });
  });

  it('answers 200 for what only looks like a PAT or an API key (RFC 7009 §2.2)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ scope: '*' })
      .setProtectedHeader({ alg: 'RS256', typ: 'pat+jwt' })
      .setIssuer(server.url)
      .setExpirationTime('1h')
      .sign(privateKey);
    for (const token of [forged, 'gk_short', `gk_${'A'.repeat(49)}`]) {
      const res = await revoke(token);
      expect(res.status, token).toBe(200);
    }
  });
});
