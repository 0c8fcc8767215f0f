import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

/** A real OAuth client we did not write, against a real gridkey on each store. */
describe.each(storeTargets())('oauth4webapi against gridkey on $kind', (target) => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  const insecure = { [oauth.allowInsecureRequests]: true };

  beforeAll(async () => {
    server = await startTestServer(target);
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
  });
  afterAll(() => server.close());

  async function getToken(
    authMethod: 'client_secret_basic' | 'client_secret_post',
    scope?: string,
  ) {
    const { id, secret } = await server.client({
      name: authMethod,
      scopes: ['a', 'b'],
      authMethod,
    });
    const auth =
      authMethod === 'client_secret_basic'
        ? oauth.ClientSecretBasic(secret)
        : oauth.ClientSecretPost(secret);
    const client = { client_id: id };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      auth,
      scope === undefined ? {} : { scope },
      insecure,
    );
    return {
      client,
      auth,
      result: await oauth.processClientCredentialsResponse(as, client, response),
    };
  }

  it('discovers the RFC 8414 metadata at both well-known paths', async () => {
    expect(as.token_endpoint).toBe(`${server.url}/oauth2/token`);
    expect(as.introspection_endpoint).toBe(`${server.url}/oauth2/introspect`);
    expect(as.revocation_endpoint).toBe(`${server.url}/oauth2/revoke`);
    const oidc = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    expect(oidc).toMatchObject({
      issuer: server.url,
      jwks_uri: `${server.url}/.well-known/jwks.json`,
    });
  });

  for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
    it(`gets a token with ${method} that jose verifies against the JWKS`, async () => {
      const { result } = await getToken(method, 'b');
      expect(result.token_type).toBe('bearer');
      expect(result.scope).toBe('b');
      const jwks = createRemoteJWKSet(new URL(as.jwks_uri as string));
      const { payload } = await jwtVerify(result.access_token, jwks, {
        issuer: server.url,
        typ: 'at+jwt',
      });
      expect(payload.scope).toBe('b');
    });
  }

  it('introspects an active token, then revokes it and sees it inactive and in the feed', async () => {
    const { client, auth, result } = await getToken('client_secret_basic');
    const active = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, result.access_token, insecure),
    );
    expect(active).toMatchObject({
      active: true,
      client_id: client.client_id,
      scope: 'a b',
      token_type: 'Bearer',
    });

    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, result.access_token, insecure),
    );
    const inactive = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, result.access_token, insecure),
    );
    expect(inactive).toEqual({ active: false });

    const feed = (await (await fetch(`${server.url}/revocations?after=0`)).json()) as {
      revocations: { jti: string; exp: number }[];
      next_cursor: string;
    };
    expect(feed.revocations.map((r) => r.jti)).toContain(active.jti);
    expect(feed.revocations.find((r) => r.jti === active.jti)?.exp).toBe(active.exp);
    const after = (await (
      await fetch(`${server.url}/revocations?after=${feed.next_cursor}`)
    ).json()) as {
      revocations: unknown[];
      next_cursor: string;
    };
    expect(after).toMatchObject({ revocations: [], next_cursor: feed.next_cursor });
  });

  it('answers introspection of garbage and foreign tokens with active: false only', async () => {
    const { id, secret } = await server.client({ name: 'rs' });
    for (const token of [
      'garbage',
      'a.b.c',
      `${'x'.repeat(30)}.${'y'.repeat(30)}.${'z'.repeat(30)}`,
    ]) {
      const res = await postForm(
        `${server.url}/oauth2/introspect`,
        { token },
        { authorization: basic(id, secret) },
      );
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ active: false });
    }
  });

  it('requires client authentication for introspection and revocation', async () => {
    for (const path of ['/oauth2/introspect', '/oauth2/revoke']) {
      const res = await postForm(`${server.url}${path}`, { token: 'x' });
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
    }
  });

  it('answers revocation of an unknown token with 200 and refuses another client’s token', async () => {
    const owner = await getToken('client_secret_basic');
    const other = await server.client({ name: 'other' });
    const unknown = await postForm(
      `${server.url}/oauth2/revoke`,
      { token: 'not-a-token' },
      {
        authorization: basic(other.id, other.secret),
      },
    );
    expect(unknown.status).toBe(200);
    const foreign = await postForm(
      `${server.url}/oauth2/revoke`,
      { token: owner.result.access_token },
      {
        authorization: basic(other.id, other.secret),
      },
    );
    expect(foreign.status).toBe(400);
    expect(foreign.json.error).toBe('unauthorized_client');
    const jti = decodeJwt(owner.result.access_token).jti as string;
    expect(await server.gk.store.revocations.isRevoked(jti)).toBe(false);
  });

  it('rejects a malformed feed cursor', async () => {
    for (const after of ['-1', 'abc', '1e3', '99999999999999999999']) {
      const res = await fetch(`${server.url}/revocations?after=${after}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    }
  });
});
