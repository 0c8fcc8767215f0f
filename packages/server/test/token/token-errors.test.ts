import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

describe.each(storeTargets())('token endpoint errors on $kind', (target) => {
  let server: TestServer;
  let client: { id: string; secret: string };
  let postClient: { id: string; secret: string };
  let passwordOnly: { id: string; secret: string };
  let tokenUrl: string;

  beforeAll(async () => {
    server = await startTestServer(target);
    tokenUrl = `${server.url}/oauth2/token`;
    client = await server.client();
    postClient = await server.client({ name: 'post', authMethod: 'client_secret_post' });
    passwordOnly = await server.client({ name: 'app', grantTypes: ['password'] });
  });
  afterAll(() => server.close());

  const cc = { grant_type: 'client_credentials' };

  it('answers a missing grant_type with invalid_request', async () => {
    const res = await postForm(tokenUrl, {}, { authorization: basic(client.id, client.secret) });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: 'invalid_request',
      error_description: 'missing parameter grant_type',
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a repeated parameter with invalid_request, without echoing values', async () => {
    const res = await postForm(
      tokenUrl,
      `grant_type=client_credentials&scope=read&scope=SECRET-LOOKING-VALUE`,
      { authorization: basic(client.id, client.secret) },
    );
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: 'invalid_request',
      error_description: 'parameter scope is repeated',
    });
    expect(res.text).not.toContain('SECRET-LOOKING-VALUE');
  });

  it('answers a JSON body or a missing content type with invalid_request', async () => {
    for (const [type, body] of [
      ['application/json', JSON.stringify(cc)],
      ['text/plain', 'grant_type=client_credentials'],
      ['application/json', '{not json'],
    ] as const) {
      const res = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': type, authorization: basic(client.id, client.secret) },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    }
  });

  it('refuses credentials sent in two places', async () => {
    const res = await postForm(
      tokenUrl,
      { ...cc, client_id: client.id, client_secret: client.secret },
      { authorization: basic(client.id, client.secret) },
    );
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: 'invalid_request',
      error_description: 'client credentials were sent in more than one place',
    });
  });

  it('answers an unknown client and a wrong secret identically, with a Basic challenge', async () => {
    const unknown = await postForm(tokenUrl, cc, {
      authorization: basic('no-such-client', client.secret),
    });
    const wrong = await postForm(tokenUrl, cc, {
      authorization: basic(client.id, 'WRONG-SECRET-VALUE'),
    });
    for (const res of [unknown, wrong]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="gridkey"');
      expect(res.json).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
    }
    expect(wrong.text).not.toContain('WRONG-SECRET-VALUE');
  });

  it('answers a failed form authentication 401 without a Basic challenge', async () => {
    const res = await postForm(tokenUrl, {
      ...cc,
      client_id: postClient.id,
      client_secret: 'nope',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.json.error).toBe('invalid_client');
    const none = await postForm(tokenUrl, cc);
    expect(none.status).toBe(401);
    expect(none.json.error).toBe('invalid_client');
  });

  it('refuses a client using another method than it registered', async () => {
    const asPost = await postForm(tokenUrl, {
      ...cc,
      client_id: client.id,
      client_secret: client.secret,
    });
    expect(asPost.status).toBe(401);
    const asBasic = await postForm(tokenUrl, cc, {
      authorization: basic(postClient.id, postClient.secret),
    });
    expect(asBasic.status).toBe(401);
    expect(asBasic.json.error).toBe('invalid_client');
  });

  it('answers malformed Basic headers with invalid_client', async () => {
    for (const header of [
      'Basic !!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      'Basic ',
    ]) {
      const res = await postForm(tokenUrl, cc, { authorization: header });
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
    }
    const bearer = await postForm(tokenUrl, cc, { authorization: 'Bearer abc' });
    expect(bearer.status).toBe(400);
    expect(bearer.json.error).toBe('invalid_request');
  });

  it('answers a grant the client may not use with unauthorized_client', async () => {
    const res = await postForm(tokenUrl, cc, {
      authorization: basic(passwordOnly.id, passwordOnly.secret),
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('unauthorized_client');
  });

  it('answers an unknown grant type with unsupported_grant_type', async () => {
    const res = await postForm(
      tokenUrl,
      { grant_type: 'authorization_code', code: 'x' },
      {
        authorization: basic(client.id, client.secret),
      },
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('unsupported_grant_type');
  });

  it('answers a body over the limit with 413 and an OAuth error', async () => {
    const res = await postForm(
      tokenUrl,
      { ...cc, scope: 'a'.repeat(70 * 1024) },
      {
        authorization: basic(client.id, client.secret),
      },
    );
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('invalid_request');
  });

  it('answers other methods with 405 and Allow: POST', async () => {
    const res = await fetch(tokenUrl);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('never answers 5xx and never changes what is stored, whatever the request', async () => {
    // Only the informational last-use time may change (a valid request may slip through).
    // Lists are in a total order (created_at, then id), the same on both stores.
    const clients = async () =>
      (await server.gk.store.clients.list()).map(({ lastUsedAt: _, ...c }) => c);
    const before = await clients();
    const field = fc.oneof(
      fc.constantFrom('grant_type', 'client_id', 'client_secret', 'scope', 'audience', 'x'),
      fc.string({ maxLength: 8 }),
    );
    const value = fc.oneof(
      fc.constantFrom('client_credentials', client.id, client.secret, ''),
      fc.string({ maxLength: 40 }),
    );
    const header = fc.option(
      fc.oneof(
        fc.constant(basic(client.id, client.secret)),
        fc.string({ maxLength: 30 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
        fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      ),
      { nil: undefined },
    );
    const contentType = fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/json',
      'text/plain',
      'multipart/form-data',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(field, value), { maxLength: 6 }),
        header,
        contentType,
        async (pairs, auth, type) => {
          const body = pairs
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join('&');
          const res = await fetch(tokenUrl, {
            method: 'POST',
            headers: {
              'content-type': type,
              ...(auth === undefined ? {} : { authorization: auth }),
            },
            body,
          });
          expect(res.status).toBeLessThan(500);
          const json = (await res.json()) as { error?: unknown };
          if (res.status !== 200) expect(typeof json.error).toBe('string');
        },
      ),
      { numRuns: 150 },
    );
    expect(await clients()).toEqual(before);
    expect(await server.gk.store.revocations.listAfter(0, 0, 10)).toEqual([]);
  });
});
