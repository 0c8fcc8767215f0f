import { createPublicKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm } from '../../../test/helpers/test-server.js';
import type { Verifier } from '../src/index.js';
import { b64url, claims, type Fixture, ISSUER, outcome, startFixture } from './helpers.js';

const JWKS = '/.well-known/jwks.json';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('forged and unacceptable JWTs, against a real gridkey', () => {
  let fx: Fixture;
  let verifier: Verifier;
  let kid: string;
  /** A server a forged jku/x5u points at: it counts every request it gets. */
  let trap: Server;
  let trapHits = 0;
  let trapUrl: string;

  beforeAll(async () => {
    fx = await startFixture();
    verifier = fx.verifier({ audience: ISSUER });
    await verifier.ready();
    kid = fx.server.gk.keys.signingKey('ES256').kid;
    trap = createServer((_req, res) => {
      trapHits++;
      res.end('{"keys":[]}');
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    trapUrl = `http://127.0.0.1:${(trap.address() as { port: number }).port}/jwks.json`;
  });
  afterAll(async () => {
    await fx.close();
    await new Promise((r) => trap.close(r));
  });

  /** The code, and how many JWKS fetches and trap hits the attempt caused. */
  async function attempt(token: string) {
    const jwksBefore = fx.count(JWKS);
    const trapBefore = trapHits;
    const code = await outcome(verifier.verify(token));
    return { code, jwksFetches: fx.count(JWKS) - jwksBefore, trapHits: trapHits - trapBefore };
  }

  it('accepts a real client_credentials token (the baseline forgeries differ from)', async () => {
    const token = await fx.accessToken();
    const verified = await verifier.verify(token);
    expect(verified).toMatchObject({ kind: 'access_token', scopes: expect.any(Array) });
    expect(verified.kind === 'access_token' && verified.clientId).toBeTruthy();
  });

  it('refuses alg none, before any key look-up', async () => {
    const header = { alg: 'none', typ: 'at+jwt', kid };
    const token = `${b64url(header)}.${b64url(claims())}.`;
    expect(await attempt(token)).toEqual({
      code: 'unsupported_algorithm',
      jwksFetches: 0,
      trapHits: 0,
    });
  });

  it('refuses an empty signature', async () => {
    const real = await fx.sign({}, claims());
    const [h, p] = real.split('.');
    expect(await attempt(`${h}.${p}.`)).toEqual({
      code: 'invalid_signature',
      jwksFetches: 0,
      trapHits: 0,
    });
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const publicPem = createPublicKey(fx.server.gk.keys.signingKey('ES256').key)
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .sign(new TextEncoder().encode(publicPem));
    expect(await attempt(token)).toEqual({
      code: 'unsupported_algorithm',
      jwksFetches: 0,
      trapHits: 0,
    });
  });

  it('refuses a real token respelled: padding, whitespace, unused bits set in a segment', async () => {
    // jose decodes with atob, which would take every one of these (RFC 7515 §2: base64url has none).
    const real = await fx.accessToken();
    const [h, p, s] = real.split('.') as [string, string, string];
    const respelled = [
      `${h}.${p}.${s}==`,
      `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`,
      `${h}.${p}.${s.slice(0, 10)}\n${s.slice(10)}`,
      `${h}.${p}.${s.slice(0, 10)}\t${s.slice(10)}`,
      `${h}.${p}.${s.slice(0, 10)}\r\n${s.slice(10)}`,
      `${h} .${p}.${s}`,
      `${h}==.${p}.${s}`,
      // An ES256 signature is 64 bytes, 86 characters: the last one's low 4 bits are unused.
      `${h}.${p}.${s.slice(0, -1)}${B64URL[B64URL.indexOf(s.slice(-1)) ^ 1]}`,
    ];
    for (const token of respelled) {
      expect(await attempt(token), JSON.stringify(token.slice(-90))).toEqual({
        code: 'malformed',
        jwksFetches: 0,
        trapHits: 0,
      });
    }
    expect(await outcome(verifier.verify(real))).toBe('ok');
  });

  it('refuses ES256 with r = s = 0 (CVE-2022-21449 "psychic signatures")', async () => {
    const zeros = Buffer.alloc(64).toString('base64url');
    const token = `${b64url({ alg: 'ES256', typ: 'at+jwt', kid })}.${b64url(claims())}.${zeros}`;
    expect(await attempt(token)).toEqual({
      code: 'invalid_signature',
      jwksFetches: 0,
      trapHits: 0,
    });
  });

  it('refuses an embedded jwk, even one that signed the token', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid, jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    expect(await attempt(token)).toEqual({ code: 'malformed', jwksFetches: 0, trapHits: 0 });
  });

  for (const name of ['jku', 'x5u'] as const) {
    it(`refuses a ${name} header and never fetches it`, async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'attacker', [name]: trapUrl })
        .sign(privateKey);
      expect(await attempt(token)).toEqual({ code: 'malformed', jwksFetches: 0, trapHits: 0 });
    });
  }

  it('refuses x5c and x5t headers', async () => {
    for (const extra of [{ x5c: ['MIIB'] }, { x5t: 'abc' }]) {
      const token = await fx.sign(extra, claims());
      expect(await attempt(token)).toEqual({ code: 'malformed', jwksFetches: 0, trapHits: 0 });
    }
  });

  it('refuses kids that are paths or SQL, with no fetch', async () => {
    for (const bad of ['../../etc/passwd', "' OR 1=1 --", '', 'a'.repeat(129), 42]) {
      const token = await fx.sign({ kid: bad }, claims());
      expect(await attempt(token)).toEqual({ code: 'malformed', jwksFetches: 0, trapHits: 0 });
    }
  });

  it('refuses an unknown crit extension', async () => {
    const key = fx.server.gk.keys.signingKey('ES256');
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid, crit: ['gk-ext'], 'gk-ext': 1 })
      .sign(key.key, { crit: { 'gk-ext': true } });
    expect(await attempt(token)).toEqual({ code: 'malformed', jwksFetches: 0, trapHits: 0 });
  });

  it('refuses a wrong iss, a wrong aud and a wrong or missing typ', async () => {
    expect((await attempt(await fx.sign({}, claims({ iss: 'http://evil.test' })))).code).toBe(
      'invalid_claims',
    );
    expect((await attempt(await fx.sign({}, claims({ aud: 'another-api' })))).code).toBe(
      'invalid_claims',
    );
    for (const typ of ['JWT', 'jwt', 'at+jwe', 'application/jwt', undefined]) {
      const token = await fx.sign({ typ }, claims());
      expect(await attempt(token)).toEqual({ code: 'wrong_type', jwksFetches: 0, trapHits: 0 });
    }
    // RFC 9068 §4: with no audience configured, the issuer is the audience: a
    // token minted for another API is refused by default too.
    const byDefault = fx.verifier();
    try {
      expect(await outcome(byDefault.verify(await fx.sign({}, claims())))).toBe('ok');
      expect(
        await outcome(byDefault.verify(await fx.sign({}, claims({ aud: 'another-api' })))),
      ).toBe('invalid_claims');
    } finally {
      await byDefault.close();
    }
    // RFC 9068 §4: the full media type is the same type.
    expect(
      await outcome(verifier.verify(await fx.sign({ typ: 'application/at+jwt' }, claims()))),
    ).toBe('ok');
  });

  it('refuses a real ID token from the password grant as an access token', async () => {
    const app = await fx.server.client({
      name: 'app',
      scopes: ['meters:read'],
      grantTypes: ['password', 'refresh_token'],
      authMethod: 'client_secret_post',
    });
    await fx.server.gk.users.create('jane@example.com', 'a long enough password 1');
    const res = await postForm(`${fx.server.url}/oauth2/token`, {
      grant_type: 'password',
      client_id: app.id,
      client_secret: app.secret,
      username: 'jane@example.com',
      password: 'a long enough password 1',
    });
    expect(res.status).toBe(200);
    const idToken = res.json.id_token as string;
    expect(decodeJwt(idToken).iss).toBe(ISSUER);
    expect((await attempt(idToken)).code).toBe('wrong_type');
    // The access token of the same response is fine.
    expect(await outcome(verifier.verify(res.json.access_token as string))).toBe('ok');
  });

  it('refuses exp as a string, exp missing, jti missing and a future nbf', async () => {
    const now = Math.floor(Date.now() / 1000);
    const noExp = claims();
    delete noExp.exp;
    const noJti = claims();
    delete noJti.jti;
    expect((await attempt(await fx.sign({}, claims({ exp: String(now + 3600) })))).code).toBe(
      'invalid_claims',
    );
    expect((await attempt(await fx.sign({}, noExp))).code).toBe('invalid_claims');
    expect((await attempt(await fx.sign({}, noJti))).code).toBe('invalid_claims');
    expect((await attempt(await fx.sign({}, claims({ nbf: now + 600 })))).code).toBe(
      'not_yet_valid',
    );
  });

  it('refuses a token at exp exactly now, and one past it (the Enectiva rule)', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await attempt(await fx.sign({}, claims({ exp: now })))).code).toBe('expired');
    expect((await attempt(await fx.sign({}, claims({ exp: now - 1 })))).code).toBe('expired');
  });

  it('refuses a tampered payload', async () => {
    const real = await fx.accessToken({ scope: 'meters:read' });
    const [h, p, s] = real.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.scope = 'meters:read readings:write';
    expect(await attempt(`${h}.${b64url(payload)}.${s}`)).toEqual({
      code: 'invalid_signature',
      jwksFetches: 0,
      trapHits: 0,
    });
  });

  it('refuses a token signed by a key that is not the issuer’s, even under its kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .sign(privateKey);
    expect((await attempt(token)).code).toBe('invalid_signature');
  });

  it('refuses garbage that is no JWT at all', async () => {
    for (const junk of ['abc', 'a.b.c', 'e30.e30', `${'A'.repeat(20_000)}.e30.e30`]) {
      expect((await attempt(junk)).code).toBe('malformed');
    }
  });
});
