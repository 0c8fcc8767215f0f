import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier, type VerifierOptions } from '../src/index.js';
import { JwksCache } from '../src/lib/jwks-cache.js';
import { outcome, waitFor } from './helpers.js';

const ISSUER = 'http://issuer.test';

interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  jwk: Record<string, unknown>;
}

async function makeKey(alg: 'ES256' | 'RS256'): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, privateKey, jwk: { ...jwk, kid, alg, use: 'sig' } };
}

const tokenOf = (key: TestKey, extra: Record<string, unknown> = {}, kid = key.kid) =>
  new SignJWT({ sub: 's', jti: randomBytes(8).toString('hex'), scope: 'a', ...extra })
    .setProtectedHeader({ alg: key.alg, kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(ISSUER)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key.privateKey);

/**
 * A key-set server under the test's control: it serves `keys`, counts every
 * request, and can answer 503 or hang (to stand for an issuer in trouble).
 */
describe('the JWKS cache', () => {
  let server: Server;
  let url: string;
  let keys: Record<string, unknown>[] = [];
  let fetches = 0;
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  let es: TestKey;
  let rs: TestKey;
  const verifiers: Verifier[] = [];

  const verifier = (options: Partial<VerifierOptions> = {}) => {
    const v = createVerifier({ issuer: ISSUER, jwksUri: url, stateFeed: false, ...options });
    verifiers.push(v);
    return v;
  };

  beforeAll(async () => {
    es = await makeKey('ES256');
    rs = await makeKey('RS256');
    server = createServer((_req, res) => {
      fetches++;
      if (mode === 'hang') return;
      if (mode === 'fail') return void res.writeHead(503).end();
      res.setHeader('content-type', 'application/jwk-set+json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
  });
  afterEach(async () => {
    await Promise.all(verifiers.splice(0).map((v) => v.close()));
    keys = [es.jwk];
    mode = 'ok';
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('shares one fetch among concurrent first calls', async () => {
    keys = [es.jwk];
    const before = fetches;
    const v = verifier({ cache: false });
    const token = await tokenOf(es);
    const results = await Promise.all(Array.from({ length: 50 }, () => outcome(v.verify(token))));
    expect(new Set(results)).toEqual(new Set(['ok']));
    expect(fetches - before).toBe(1);
  });

  it('lets a flood of unknown kids cause one refetch, then none within the cooldown', async () => {
    keys = [es.jwk];
    const v = verifier();
    await v.ready();
    const before = fetches;
    const forged = await Promise.all(
      Array.from({ length: 200 }, () => tokenOf(es, {}, randomBytes(32).toString('base64url'))),
    );
    const codes = await Promise.all(forged.map((t) => outcome(v.verify(t))));
    expect(new Set(codes)).toEqual(new Set(['unknown_key']));
    expect(fetches - before).toBe(1);
    const again = await Promise.all(forged.slice(0, 50).map((t) => outcome(v.verify(t))));
    expect(new Set(again)).toEqual(new Set(['unknown_key']));
    expect(fetches - before).toBe(1);
  });

  it('finds a key published after the cooldown has passed', async () => {
    keys = [es.jwk];
    const v = verifier({ jwks: { cooldownMs: 200 } });
    await v.ready();
    const newKey = await makeKey('ES256');
    const token = await tokenOf(newKey);
    expect(await outcome(v.verify(token))).toBe('unknown_key');
    keys = [es.jwk, newKey.jwk];
    await waitFor(
      async () => ((await outcome(v.verify(token))) === 'ok' ? true : undefined),
      'new key',
    );
    expect(v.health().keys.kids).toContain(newKey.kid);
  });

  it('refetches a key set older than cacheMaxAgeMs, in the background', async () => {
    keys = [es.jwk];
    const v = verifier({ cache: false, jwks: { cacheMaxAgeMs: 50 } });
    await v.ready();
    const first = v.health().keys.fetchedAt as number;
    const token = await tokenOf(es);
    await waitFor(async () => {
      expect(await outcome(v.verify(token))).toBe('ok');
      return (v.health().keys.fetchedAt as number) > first ? true : undefined;
    }, 'a refetch');
  });

  it('serves the last good set while refetches fail, up to maxStaleMs, then not', async () => {
    keys = [es.jwk];
    const v = verifier({
      cache: false,
      jwks: { cacheMaxAgeMs: 0, maxStaleMs: 1500, cooldownMs: 0 },
    });
    await v.ready();
    const token = await tokenOf(es);
    mode = 'fail';
    expect(await outcome(v.verify(token))).toBe('ok');
    await waitFor(() => v.health().keys.lastError, 'a failed refetch');
    expect(v.health().keys.lastError).toContain('HTTP 503');
    await waitFor(
      async () => ((await outcome(v.verify(token))) === 'unavailable' ? true : undefined),
      'maxStaleMs to pass',
    );
    mode = 'ok';
    await waitFor(
      async () => ((await outcome(v.verify(token))) === 'ok' ? true : undefined),
      'recovery',
    );
    expect(v.health().keys.lastError).toBeUndefined();
  });

  it('looks a kid up afresh in every new key set, never in the keys of an old one', async () => {
    // A kid that an issuer republishes with another key (a botched rotation):
    // the key remembered for the kid belongs to the set it was found in.
    const other = await makeKey('ES256');
    const sameKid = { ...other, kid: es.kid, jwk: { ...other.jwk, kid: es.kid } };
    keys = [es.jwk];
    const v = verifier({ cache: false, jwks: { cacheMaxAgeMs: 50, cooldownMs: 0 } });
    await v.ready();
    expect(await outcome(v.verify(await tokenOf(es)))).toBe('ok');
    expect(await outcome(v.verify(await tokenOf(es)))).toBe('ok');
    keys = [sameKid.jwk];
    const fromOther = await tokenOf(sameKid);
    await waitFor(
      async () => ((await outcome(v.verify(fromOther))) === 'ok' ? true : undefined),
      'the republished kid',
    );
    expect(await outcome(v.verify(await tokenOf(es)))).toBe('invalid_signature');
  });

  it('times a hanging key-set request out and says so', async () => {
    mode = 'hang';
    const v = verifier({ jwks: { timeoutMs: 150 } });
    await expect(v.ready()).rejects.toMatchObject({ code: 'unavailable', status: 503 });
    expect(v.health()).toMatchObject({ ok: false, keys: { fetchedAt: null } });
    expect(v.health().keys.lastError).toContain('timed out');
  });

  it('allows by default only the algorithms the key set publishes, never HMAC', async () => {
    keys = [es.jwk, { kty: 'oct', k: 'c2VjcmV0', kid: 'shared', alg: 'HS256' }];
    const v = verifier();
    await v.ready();
    expect(v.health().keys.kids).toEqual([es.kid]);
    expect(await outcome(v.verify(await tokenOf(rs)))).toBe('unsupported_algorithm');
    const hs = await new SignJWT({ sub: 's', jti: 'j' })
      .setProtectedHeader({ alg: 'HS256', kid: 'shared', typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('secret'));
    expect(await outcome(v.verify(hs))).toBe('unsupported_algorithm');
    keys = [es.jwk, rs.jwk];
    const both = verifier();
    await both.ready();
    expect(await outcome(both.verify(await tokenOf(rs)))).toBe('ok');
  });

  it('holds to an explicit allowlist', async () => {
    keys = [es.jwk, rs.jwk];
    const v = verifier({ algorithms: ['RS256'] });
    expect(await outcome(v.verify(await tokenOf(es)))).toBe('unsupported_algorithm');
    expect(await outcome(v.verify(await tokenOf(rs)))).toBe('ok');
  });

  it('hands out a resolved key as a value, and refuses a removed kid before that', async () => {
    keys = [es.jwk];
    const cache = new JwksCache({
      uri: async () => url,
      fetch,
      signal: new AbortController().signal,
      timeoutMs: 1000,
      cooldownMs: 0,
      cacheMaxAgeMs: 60_000,
      maxStaleMs: 60_000,
      onKeys: () => {},
      onError: () => {},
    });
    await cache.load();
    // The header checker's memo hands out one frozen header per distinct header.
    const header = Object.freeze({ alg: 'ES256', kid: es.kid, typ: 'at+jwt' });
    const first = cache.keyFor(header);
    expect(first).toBeInstanceOf(Promise);
    const key = await first;
    expect(cache.keyFor(header)).toBe(key);
    // Another header object is looked up (its pair's answer is shared, as a promise).
    expect(cache.keyFor({ ...header })).toBeInstanceOf(Promise);
    await expect(cache.keyFor({ ...header, kid: rs.kid })).rejects.toMatchObject({
      code: 'unknown_key',
    });
    cache.remove(es.kid, Math.floor(Date.now() / 1000) + 60);
    await expect(cache.keyFor(header)).rejects.toMatchObject({ code: 'unknown_key' });
    // Past the removal's expiry, the set fetched before it still lists the kid: the removal stays.
    cache.prune(Math.floor(Date.now() / 1000) + 120);
    expect(cache.isRemoved(es.kid)).toBe(true);
    await expect(cache.keyFor(header)).rejects.toMatchObject({ code: 'unknown_key' });
  });

  it('emits keys when a set loads', async () => {
    keys = [es.jwk, rs.jwk];
    const v = verifier();
    const kids = await new Promise<string[]>((resolve) => v.once('keys', resolve));
    expect(kids.sort()).toEqual([es.kid, rs.kid].sort());
  });
});
