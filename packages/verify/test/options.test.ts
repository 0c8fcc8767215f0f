import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type VerifierOptions } from '../src/index.js';
import { metadataUrl } from '../src/lib/discovery.js';
import { waitFor } from './helpers.js';

const ok: VerifierOptions = { issuer: 'http://issuer.test', stateFeed: false };

describe('createVerifier options', () => {
  const cases: [string, unknown, RegExp][] = [
    ['no issuer', {}, /^issuer must be/],
    ['a non-http issuer', { issuer: 'ftp://issuer.test' }, /^issuer must be http/],
    ['an issuer with a query', { issuer: 'https://a.test/?x=1' }, /^issuer must have no query/],
    ['HS256', { ...ok, algorithms: ['HS256'] }, /^algorithms: "HS256" is not allowed/],
    ['none', { ...ok, algorithms: ['none'] }, /^algorithms: "none" is not allowed/],
    ['no algorithms', { ...ok, algorithms: [] }, /^algorithms must be a non-empty array/],
    ['an unknown option', { ...ok, audiance: 'x' }, /^options\.audiance is not an option/],
    ['an empty audience', { ...ok, audience: [] }, /^audience must not be an empty list/],
    ['a negative poll', { ...ok, stateFeed: { pollMs: -1 } }, /^stateFeed\.pollMs must be/],
    [
      'staleness below the poll',
      { ...ok, stateFeed: { pollMs: 1000, maxStalenessMs: 500 } },
      /^stateFeed\.maxStalenessMs must be at least stateFeed\.pollMs/,
    ],
    ['a string failOpen', { ...ok, stateFeed: { failOpen: 'yes' } }, /^stateFeed\.failOpen/],
    ['an unknown feed option', { ...ok, stateFeed: { poll: 1 } }, /^stateFeed\.poll is not/],
    ['no cache entries', { ...ok, cache: { maxEntries: 0 } }, /^cache\.maxEntries must be/],
    [
      'an empty client id',
      { ...ok, introspection: { clientId: '', clientSecret: 's' } },
      /^introspection\.clientId must be/,
    ],
    ['a bad jwks option', { ...ok, jwks: { cooldownMs: 'soon' } }, /^jwks\.cooldownMs must be/],
    ['a negative tolerance', { ...ok, clockToleranceSeconds: -1 }, /^clockToleranceSeconds/],
    // The feed forgets a revocation 300 s past exp: more leeway would readmit it.
    ['a tolerance over 300 s', { ...ok, clockToleranceSeconds: 301 }, /^clockToleranceSeconds/],
    ['a bad jwksUri', { ...ok, jwksUri: 'not a url' }, /^jwksUri must be an http/],
    ['a non-function fetch', { ...ok, fetch: 'x' }, /^fetch must be a function/],
  ];
  for (const [what, options, message] of cases) {
    it(`throws a TypeError at once for ${what}`, () => {
      expect(() => createVerifier(options as VerifierOptions)).toThrow(TypeError);
      expect(() => createVerifier(options as VerifierOptions)).toThrow(message);
    });
  }

  it('rejects bad call options with a TypeError, not a VerifyError', async () => {
    const v = createVerifier({ ...ok, jwksUri: 'http://127.0.0.1:9/jwks.json' });
    await expect(v.verify('x', { scopes: 'read' as never })).rejects.toThrow(TypeError);
    await expect(v.verify('x', { interface: 'mobile' as never })).rejects.toThrow(
      /options\.interface must be/,
    );
    await expect(v.verify('x', { scopes: ['a b'] })).rejects.toThrow(/scope tokens/);
    await expect(v.verify(42 as never)).rejects.toThrow(TypeError);
    await v.close();
  });

  it('puts RFC 8414 §3 well-known paths between host and path', () => {
    expect(metadataUrl('https://a.test')).toBe(
      'https://a.test/.well-known/oauth-authorization-server',
    );
    expect(metadataUrl('https://a.test/tenant/1')).toBe(
      'https://a.test/.well-known/oauth-authorization-server/tenant/1',
    );
  });
});

describe('discovery', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      // Metadata that speaks for another issuer, pointing at its own key set.
      res.end(JSON.stringify({ issuer: 'http://evil.test', jwks_uri: `${base}/evil-jwks` }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('refuses metadata naming another issuer (RFC 8414 §3.3), not following it', async () => {
    const v = createVerifier({ issuer: base, stateFeed: false });
    await expect(v.ready()).rejects.toMatchObject({ code: 'unavailable' });
    expect(v.health().keys.lastError).toContain('another issuer');
    expect(seen).toContain('/.well-known/oauth-authorization-server');
    expect(seen).not.toContain('/evil-jwks');
    await v.close();
  });

  it('stops polling on close', async () => {
    let polls = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).includes('/revocations')) polls++;
      return fetch(input, init);
    };
    const v = createVerifier({
      issuer: base,
      fetch: counting,
      stateFeed: { pollMs: 10, maxStalenessMs: 100 },
    });
    await waitFor(() => (polls >= 3 ? true : undefined), 'a few polls');
    await v.close();
    const after = polls;
    // A negative can only be watched for a while: twenty poll intervals.
    await new Promise((r) => setTimeout(r, 200));
    expect(polls).toBe(after);
    await expect(v.verify('x')).rejects.toMatchObject({ code: 'unavailable' });
  });
});
