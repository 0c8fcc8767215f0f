import * as jose from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { basic, postForm } from '../../../test/helpers/test-server.js';
import type { Verifier } from '../src/index.js';
import { claims, type Fixture, outcome, startFixture, waitFor } from './helpers.js';

// The real jwtVerify, watched: a cache hit must not reach it.
vi.mock('jose', async (importOriginal) => {
  const real = await importOriginal<typeof import('jose')>();
  return { ...real, jwtVerify: vi.fn(real.jwtVerify) };
});
const jwtVerify = vi.mocked(jose.jwtVerify);

describe('the verified-token cache', () => {
  let fx: Fixture;
  let verifier: Verifier;
  let client: { id: string; secret: string };

  beforeAll(async () => {
    fx = await startFixture();
    client = await fx.server.client({
      name: 'cache client',
      scopes: ['meters:read', 'readings:read'],
    });
    verifier = fx.verifier();
    await verifier.ready();
  });
  afterAll(() => fx.close());
  beforeEach(() => {
    jwtVerify.mockClear();
  });

  it('verifies a token reused 1000 times with one signature check', async () => {
    const token = await fx.accessToken({ scope: 'meters:read' }, client);
    const before = verifier.health().cache;
    for (let i = 0; i < 1000; i++) {
      const verified = await verifier.verify(token, { scopes: ['meters:read'] });
      expect(verified.kind).toBe('access_token');
    }
    expect(jwtVerify).toHaveBeenCalledTimes(1);
    const after = verifier.health().cache;
    expect(after.hits - before.hits).toBe(999);
    expect(after.misses - before.misses).toBe(1);
  });

  it('checks scopes on every hit', async () => {
    const token = await fx.accessToken({ scope: 'meters:read' }, client);
    expect(await outcome(verifier.verify(token, { scopes: ['meters:read'] }))).toBe('ok');
    const refused = verifier.verify(token, { scopes: ['readings:read'] });
    await expect(refused).rejects.toMatchObject({
      code: 'insufficient_scope',
      status: 403,
      scopes: ['readings:read'],
    });
    expect(jwtVerify).toHaveBeenCalledTimes(1);
  });

  it('refuses a cached token once the feed reports its revocation', async () => {
    const token = await fx.accessToken({ scope: 'readings:read' }, client);
    expect(await outcome(verifier.verify(token))).toBe('ok');
    const revoke = await postForm(
      `${fx.server.url}/oauth2/revoke`,
      { token },
      { authorization: basic(client.id, client.secret) },
    );
    expect(revoke.status).toBe(200);
    jwtVerify.mockClear(); // the server's own revocation check used it
    const started = Date.now();
    await waitFor(
      async () => ((await outcome(verifier.verify(token))) === 'revoked' ? true : undefined),
      'the revocation to reach the verifier',
    );
    console.info(`revoked -> refused from cache in ${Date.now() - started} ms`);
    expect(jwtVerify).not.toHaveBeenCalled();
  });

  it('re-checks exp on a hit, and drops the entry', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3;
    const token = await fx.sign({}, claims({ exp }));
    expect(await outcome(verifier.verify(token))).toBe('ok');
    const entries = verifier.health().cache.entries;
    await waitFor(() => (Date.now() >= exp * 1000 ? true : undefined), 'exp to pass', 8000);
    expect(await outcome(verifier.verify(token))).toBe('expired');
    expect(jwtVerify).toHaveBeenCalledTimes(1);
    expect(verifier.health().cache.entries).toBe(entries - 1);
  });

  it('stays within maxEntries, dropping the least recently used', async () => {
    const small = fx.verifier({ cache: { maxEntries: 3 } });
    await small.ready();
    const tokens = await Promise.all([1, 2, 3, 4].map(() => fx.sign({}, claims())));
    for (const t of tokens.slice(0, 3)) await small.verify(t);
    await small.verify(tokens[0] as string); // now the most recent
    await small.verify(tokens[3] as string); // evicts tokens[1]
    expect(small.health().cache.entries).toBe(3);
    jwtVerify.mockClear();
    for (const i of [0, 2, 3]) await small.verify(tokens[i] as string);
    expect(jwtVerify).not.toHaveBeenCalled();
    await small.verify(tokens[1] as string);
    expect(jwtVerify).toHaveBeenCalledTimes(1);
  });

  it('does not cache tokens over 8 KiB, nor failures', async () => {
    const big = await fx.sign({}, claims({ pad: 'x'.repeat(9000) }));
    await verifier.verify(big);
    await verifier.verify(big);
    expect(jwtVerify).toHaveBeenCalledTimes(2);
    const expired = await fx.sign({}, claims({ exp: Math.floor(Date.now() / 1000) - 10 }));
    expect(await outcome(verifier.verify(expired))).toBe('expired');
    expect(await outcome(verifier.verify(expired))).toBe('expired');
    expect(jwtVerify).toHaveBeenCalledTimes(4);
  });

  it('hands out frozen results, so a caller cannot widen a cached token', async () => {
    const token = await fx.accessToken({ scope: 'meters:read' }, client);
    const verified = await verifier.verify(token);
    expect(() => (verified.scopes as string[]).push('readings:write')).toThrow(TypeError);
    expect(() => {
      (verified as { subject: string }).subject = 'someone else';
    }).toThrow(TypeError);
    expect((await verifier.verify(token)).scopes).toEqual(['meters:read']);
  });

  it('caches nothing with cache: false', async () => {
    const v = fx.verifier({ cache: false });
    await v.ready();
    const token = await fx.accessToken({ scope: 'meters:read' }, client);
    await v.verify(token);
    await v.verify(token);
    expect(jwtVerify).toHaveBeenCalledTimes(2);
    expect(v.health().cache.entries).toBe(0);
  });
});
