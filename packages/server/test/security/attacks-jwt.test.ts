import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, exportJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import { inspectCommand } from '../../src/cli/commands/inspect.js';
import {
  expectNoLeak,
  expectUnchanged,
  GENEROUS_LIMITS,
  send,
  snapshot,
} from './attack-helpers.js';

/**
 * JWT forgeries (RFC 8725 §2–3, RFC 7515 §4.1, RFC 9068 §4; OWASP ASVS 5
 * V9.1.1 signature first, V9.1.2 no 'none' and no key confusion, V9.1.3 no
 * jku/x5u/jwk key sources, V9.2.1 exp, V9.2.2 token type, V9.2.3 audience)
 * at every place gridkey accepts a JWT: introspection, revocation,
 * the admin bearer and `gridkey inspect`. Each must be refused, store
 * nothing, fetch nothing (jku/x5u) and leak nothing.
 */

const PASSWORD = 'correct horse battery staple';
const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact JWS over exactly this header and payload, signed with `key` (ES256/RS256) or HMAC. */
function jws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject | { hmac: string | Buffer } | 'none',
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  if (key === 'none') return `${input}.`;
  if ('hmac' in key) {
    return `${input}.${createHmac('sha256', key.hmac).update(input).digest('base64url')}`;
  }
  const es = key.asymmetricKeyType === 'ec';
  const sig = sign('sha256', Buffer.from(input), es ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${sig.toString('base64url')}`;
}

/** A loopback JWKS/x5u trap: counts every request, so a fetch of an attacker's URL shows. */
async function startTrap(jwks: {
  keys: JWK[];
}): Promise<{ url: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits: () => hits, server };
}

interface Ctx {
  server: TestServer;
  /** A real client_credentials token of `owner`. */
  real: string;
  /** The real admin PAT. */
  adminPat: string;
  attackerEc: KeyObject;
  attackerJwk: JWK;
  trapUrl: string;
  idToken: string;
}

/** Forgeries of `token` (its header and claims), each named by the attack it is. */
function forgeriesOf(token: string, ctx: Ctx, signWith: 'ES256' | 'RS256'): [string, string][] {
  const header = decodeProtectedHeader(token) as Record<string, unknown>;
  const claims = decodeJwt(token) as Record<string, unknown>;
  const [h, , s] = token.split('.');
  const serverKey = ctx.server.gk.keys.signingKey(signWith).key;
  const publicJwk = ctx.server.gk.keys.jwks().keys.find((k) => k.kid === header.kid) as JWK;
  const publicPem = createPublicKey({ key: publicJwk as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const now = Math.floor(Date.now() / 1000);
  const attacker = { ...header, alg: 'ES256', kid: ctx.attackerJwk.kid };
  const wider = { ...claims, scope: '*', role: 'admin', admin: true, exp: now + 2 * 365 * 86400 };
  return [
    ['alg none', jws({ ...header, alg: 'none' }, claims, 'none')],
    ['alg "None"', jws({ ...header, alg: 'None' }, claims, 'none')],
    [
      'alg none with the old signature kept',
      `${b64url({ ...header, alg: 'none' })}.${token.split('.')[1]}.${s}`,
    ],
    [
      'HS256 keyed with the public JWK',
      jws({ ...header, alg: 'HS256' }, claims, { hmac: JSON.stringify(publicJwk) }),
    ],
    [
      'HS256 keyed with the public key PEM',
      jws({ ...header, alg: 'HS256' }, claims, { hmac: publicPem }),
    ],
    [
      'a kid that names no key',
      jws({ ...header, alg: 'ES256', kid: 'no-such-key' }, claims, ctx.attackerEc),
    ],
    [
      'the real kid, signed by another key',
      jws({ ...header, alg: 'ES256' }, claims, ctx.attackerEc),
    ],
    ['an embedded jwk header', jws({ ...attacker, jwk: ctx.attackerJwk }, claims, ctx.attackerEc)],
    ['a jku header', jws({ ...attacker, jku: `${ctx.trapUrl}/jwks.json` }, claims, ctx.attackerEc)],
    ['an x5u header', jws({ ...attacker, x5u: `${ctx.trapUrl}/cert.pem` }, claims, ctx.attackerEc)],
    ['a modified payload with the old signature', `${h}.${b64url(wider)}.${s}`],
    [
      'a modified header with the old signature',
      `${b64url({ ...header, kid: 'x' })}.${token.split('.')[1]}.${s}`,
    ],
    ['no signature', `${h}.${token.split('.')[1]}.`],
    [
      'expired a second ago, signed by the server',
      jws(header, { ...claims, exp: now - 1 }, serverKey),
    ],
    [
      'expiring at this second (RFC 7519 §4.1.4)',
      jws(header, { ...claims, iat: now - 60, exp: now }, serverKey),
    ],
    [
      'another issuer, signed by the server',
      jws(header, { ...claims, iss: 'https://evil.example' }, serverKey),
    ],
    [
      'a crit header it does not understand (RFC 7515 §4.1.11)',
      jws({ ...header, crit: ['urn:evil'], 'urn:evil': true }, claims, serverKey),
    ],
    ['crit naming a registered header', jws({ ...header, crit: ['kid'] }, claims, serverKey)],
    [
      'no typ, signed by the server (RFC 8725 §3.11)',
      jws({ alg: header.alg, kid: header.kid }, claims, serverKey),
    ],
    ['typ JWT, signed by the server', jws({ ...header, typ: 'JWT' }, claims, serverKey)],
    ['a JWE-shaped token', `${b64url({ alg: 'dir', enc: 'A256GCM' })}..AAAA.AAAA.AAAA`],
    [
      'the JWS JSON serialisation',
      JSON.stringify({ payload: b64url(claims), signatures: [{ protected: h, signature: s }] }),
    ],
  ];
}

describe.each(storeTargets())('JWT forgeries over HTTP on $kind', (target) => {
  const ctx = {} as Ctx;
  let trap: Awaited<ReturnType<typeof startTrap>>;
  let owner: { id: string; secret: string };
  let resourceServer: { id: string; secret: string };
  let stranger: { id: string; secret: string };
  let secrets: string[];

  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    ctx.attackerEc = privateKey;
    ctx.attackerJwk = { ...(await exportJWK(publicKey)), kid: 'attacker', alg: 'ES256' };
    trap = await startTrap({ keys: [ctx.attackerJwk] });
    ctx.trapUrl = trap.url;
    ctx.server = await startTestServer(target, { config: GENEROUS_LIMITS });
    const server = ctx.server;
    owner = await server.client({
      name: 'owner',
      scopes: ['read'],
      grantTypes: ['client_credentials', 'password', 'refresh_token'],
    });
    resourceServer = await server.client({ name: 'api', scopes: ['read'], resourceServer: true });
    stranger = await server.client({ name: 'stranger', scopes: ['read'] });
    const cc = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(owner.id, owner.secret) },
    );
    ctx.real = cc.json.access_token as string;
    ctx.adminPat = (await server.gk.pats.createAdminToken()).token;
    await server.gk.users.create('jane@example.com', PASSWORD);
    const login = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'password', username: 'jane@example.com', password: PASSWORD },
      { authorization: basic(owner.id, owner.secret) },
    );
    ctx.idToken = login.json.id_token as string;
    secrets = [owner.secret, resourceServer.secret, stranger.secret, ctx.adminPat, PASSWORD];
  });
  afterAll(async () => {
    await ctx.server.close();
    await new Promise((resolve) => trap.server.close(resolve));
  });

  const introspect = (token: string, client = resourceServer) =>
    postForm(
      `${ctx.server.url}/oauth2/introspect`,
      { token },
      { authorization: basic(client.id, client.secret) },
    );
  const revoke = (token: string, client = owner) =>
    postForm(
      `${ctx.server.url}/oauth2/revoke`,
      { token },
      { authorization: basic(client.id, client.secret) },
    );

  const accessForgeries = () => [
    ...forgeriesOf(ctx.real, ctx, 'ES256'),
    // RFC 8725 §3.11, RFC 9068 §4: an ID token is not an access token.
    ['an ID token as an access token', ctx.idToken] as [string, string],
  ];

  it('the real token is active and the forgery set is complete', async () => {
    expect((await introspect(ctx.real)).json).toMatchObject({ active: true, client_id: owner.id });
    expect(accessForgeries().length).toBeGreaterThanOrEqual(20);
  });

  it('introspection answers every forgery {active:false} and stores nothing', async () => {
    for (const [name, forged] of accessForgeries()) {
      const before = await snapshot(ctx.server);
      const res = await introspect(forged);
      expect(res.status, name).toBe(200);
      expect(res.json, name).toEqual({ active: false });
      expectNoLeak(res.text, secrets, name);
      await expectUnchanged(ctx.server, before, name);
    }
    expect(trap.hits()).toBe(0);
  });

  it('introspection by a client that is neither the token’s client nor its audience reveals nothing (RFC 7662 §4)', async () => {
    const res = await introspect(ctx.real, stranger);
    expect(res.json).toEqual({ active: false });
    const aud = jws(
      decodeProtectedHeader(ctx.real) as Record<string, unknown>,
      { ...decodeJwt(ctx.real), aud: 'someone-else', client_id: 'someone-else' },
      ctx.server.gk.keys.signingKey('ES256').key,
    );
    expect((await introspect(aud, owner)).json).toEqual({ active: false });
  });

  it('revocation answers every forgery 200 (RFC 7009 §2.2) without revoking the real token it copies', async () => {
    for (const [name, forged] of accessForgeries()) {
      const before = await snapshot(ctx.server);
      const res = await revoke(forged);
      expect(res.status, name).toBe(200);
      expect(res.text, name).toBe('');
      await expectUnchanged(ctx.server, before, name);
    }
    expect((await introspect(ctx.real)).json.active).toBe(true);
    expect(trap.hits()).toBe(0);
  });

  it('revocation refuses a server-signed token of another client (RFC 7009 §2.1) and stores nothing', async () => {
    const before = await snapshot(ctx.server);
    const res = await revoke(ctx.real, stranger);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('unauthorized_client');
    await expectUnchanged(ctx.server, before);
    expect((await introspect(ctx.real)).json.active).toBe(true);
  });

  it('the admin bearer refuses every forged PAT and every access-token forgery with 401', async () => {
    const pat = ctx.adminPat;
    const serverSignedPat = jws(
      decodeProtectedHeader(pat) as Record<string, unknown>,
      { ...decodeJwt(pat), jti: 'new', sub: 'new' },
      ctx.server.gk.keys.signingKey('RS256').key,
    );
    const cases: [string, string][] = [
      ...forgeriesOf(pat, ctx, 'RS256').filter(([, t]) => /^[A-Za-z0-9\-._~+/]+=*$/.test(t)),
      ['a PAT the server signed but never stored', serverSignedPat],
      ['a client_credentials access token', ctx.real],
      ...accessForgeries().filter(([, t]) => /^[A-Za-z0-9\-._~+/]+=*$/.test(t)),
    ];
    for (const [name, forged] of cases) {
      for (const [method, path, body] of [
        ['GET', '/admin/api/session', undefined],
        ['POST', '/admin/api/pats', JSON.stringify({ name: 'evil', role: 'admin' })],
      ] as const) {
        const before = await snapshot(ctx.server);
        const res = await send(`${ctx.server.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${forged}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body }),
        });
        expect(res.status, name).toBe(401);
        expect(res.json?.error, name).toBe('invalid_token');
        expect(res.headers.get('www-authenticate'), name).toMatch(
          /^Bearer realm="gridkey-admin", error="invalid_token"/,
        );
        expectNoLeak(res.text, secrets, name);
        await expectUnchanged(ctx.server, before, name);
      }
    }
    // The real one still works: the refusals were about the forgeries.
    const ok = await send(`${ctx.server.url}/admin/api/session`, {
      method: 'GET',
      headers: { authorization: `Bearer ${pat}` },
    });
    expect(ok.status).toBe(200);
    expect(trap.hits()).toBe(0);
    expectNoLeak(ctx.server.logs(), secrets, 'logs');
  });
});

/**
 * `gridkey inspect` run in this process (a process per forgery would take a
 * second each); a few forgeries also go through the real binary.
 */
async function inspectHere(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await inspectCommand().exitOverride().parseAsync(args, { from: 'user' });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    return { code: 1, stdout, stderr: `gridkey: ${(err as Error).message.split('\n')[0]}\n` };
  } finally {
    process.stdout.write = write;
  }
}

describe.each(storeTargets().slice(0, 1))(
  'JWT forgeries at `gridkey inspect` on $kind',
  (target) => {
    const ctx = {} as Ctx;
    let trap: Awaited<ReturnType<typeof startTrap>>;
    let where: string[];

    beforeAll(async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      ctx.attackerEc = privateKey;
      ctx.attackerJwk = { ...(await exportJWK(publicKey)), kid: 'attacker', alg: 'ES256' };
      trap = await startTrap({ keys: [ctx.attackerJwk] });
      ctx.trapUrl = trap.url;
      ctx.server = await startTestServer(target, { config: GENEROUS_LIMITS });
      const owner = await ctx.server.client({ name: 'owner', scopes: ['read'] });
      ctx.real = (
        await postForm(
          `${ctx.server.url}/oauth2/token`,
          { grant_type: 'client_credentials' },
          { authorization: basic(owner.id, owner.secret) },
        )
      ).json.access_token as string;
      ctx.adminPat = (await ctx.server.gk.pats.createAdminToken()).token;
      // The issuer, as an operator configures it, so that `inspect` checks `iss` (RFC 8725 §3.8).
      const config = join(ctx.server.dataDir, 'inspect-config.json');
      writeFileSync(config, JSON.stringify({ issuer: ctx.server.url }));
      where = ['--data-dir', ctx.server.dataDir, '--db', ctx.server.dbUrl, '--config', config];
    });
    afterAll(async () => {
      await ctx.server.close();
      await new Promise((resolve) => trap.server.close(resolve));
    });

    it('calls every forgery invalid, fails with one line, fetches nothing and stores nothing', async () => {
      const real = await inspectHere([ctx.real, '--json', ...where]);
      expect(real.code).toBe(0);
      expect(JSON.parse(real.stdout)).toMatchObject({ valid: true, state: 'valid' });
      const cases = [
        ...forgeriesOf(ctx.real, ctx, 'ES256'),
        ...forgeriesOf(ctx.adminPat, ctx, 'RS256').map(
          ([n, t]) => [`PAT: ${n}`, t] as [string, string],
        ),
      ];
      const before = await snapshot(ctx.server);
      const accepted: string[] = [];
      for (const [name, token] of cases) {
        const res = await inspectHere([token, '--json', ...where]);
        const out =
          res.stdout === ''
            ? undefined
            : (JSON.parse(res.stdout) as { valid: boolean; state: string });
        if (
          res.code !== 1 ||
          out?.valid === true ||
          ['valid', 'active'].includes(out?.state ?? '')
        ) {
          accepted.push(`${name}: ${out?.state}`);
        } else {
          expect(res.stderr, name).toMatch(/^gridkey: [^\n]+\n$/);
          expectNoLeak(res.stderr, [], name);
        }
      }
      expect(accepted).toEqual([]);
      await expectUnchanged(ctx.server, before);
      expect(trap.hits()).toBe(0);
    });

    it('the real binary: exit 1 and one line on stderr for a few forgeries', async () => {
      const picked = new Set(['alg none', 'a jku header']);
      const cases = forgeriesOf(ctx.real, ctx, 'ES256').filter(([n]) => picked.has(n));
      const results = await Promise.all(
        cases.map(([, t]) => runCli(['inspect', t, '--json', ...where])),
      );
      for (const [i, res] of results.entries()) {
        const name = cases[i]?.[0];
        expect(res.code, name).toBe(1);
        expect((res.json() as { valid: boolean }).valid, name).toBe(false);
        expect(res.stderr, name).toMatch(/^gridkey: token is not valid: [^\n]+\n$/);
      }
      expect(trap.hits()).toBe(0);
    });
  },
);
