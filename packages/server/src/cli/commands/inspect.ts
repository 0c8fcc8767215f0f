import { Command } from 'commander';
import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { UsageError } from '../../errors.js';
import type { Gridkey } from '../../gridkey.js';
import { nowSeconds } from '../../lib/clock.js';
import { escapeUnprintable } from '../../lib/printable.js';
import { scopesOf } from '../../tokens/access-token.js';
import { patStatus } from '../../tokens/pats.js';
import {
  type CommonOptions,
  commandConfig,
  print,
  withCommonOptions,
  withGridkey,
} from '../common.js';
import { describeKind, kindOfHeader, type TokenKind } from './inspect-kind.js';

interface InspectOptions extends CommonOptions {
  jwks?: string;
}

/** What `inspect` concludes: `state` is per kind, `valid` only for a usable token. */
interface Verdict {
  state: string;
  error?: string;
  revoked?: boolean;
  interfaces?: string[];
}

function decode(token: string) {
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    throw new UsageError('not a JWT (expected three base64url parts)');
  }
}

async function verify(
  token: string,
  keys: JWTVerifyGetKey,
  issuer: string | undefined,
): Promise<string | undefined> {
  try {
    // RFC 8725 §3.8: keys that are this issuer's do not vouch for a token naming another.
    await jwtVerify(token, keys, {
      clockTolerance: 0,
      ...(issuer === undefined ? {} : { issuer }),
    });
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  }
}

const signatureState = (error: string) => (error === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid');

async function isRevoked(gk: Gridkey, claims: JWTPayload): Promise<boolean | undefined> {
  if (typeof claims.jti !== 'string') return undefined;
  return gk.store.revocations.isRevoked(claims.jti, {
    clientId: typeof claims.client_id === 'string' ? claims.client_id : undefined,
    iat: typeof claims.iat === 'number' ? claims.iat : undefined,
  });
}

/** A PAT's signature says little: its state lives in the store (tokens/pats.ts). */
async function patVerdict(gk: Gridkey | undefined, token: string): Promise<Verdict> {
  if (gk === undefined) return { state: 'unchecked', error: 'a PAT’s state needs the database' };
  const pat = await gk.pats.find(token);
  if (pat === undefined) return { state: 'unknown', error: 'no such PAT in this database' };
  const state = patStatus(pat, nowSeconds(gk.clock));
  const interfaces = [...(pat.authorisedApi ? ['api'] : []), ...(pat.authorisedWeb ? ['web'] : [])];
  return { state, interfaces, ...(state === 'active' ? {} : { error: `PAT is ${state}` }) };
}

async function judge(
  kind: TokenKind,
  token: string,
  claims: JWTPayload,
  keys: JWTVerifyGetKey,
  gk: Gridkey | undefined,
  issuer: string | undefined,
): Promise<Verdict> {
  const error = await verify(token, keys, issuer);
  const revoked = gk === undefined ? undefined : await isRevoked(gk, claims);
  const withRevoked = revoked === undefined ? {} : { revoked };
  // RFC 8725 §3.11: the typ says what a JWT is for; only an access token (or
  // an active PAT) is one to accept as a bearer token.
  if (kind === 'id_token')
    return { state: 'not_an_access_token', error: error ?? 'not an access token', ...withRevoked };
  if (kind === 'unknown')
    return { state: 'unknown_kind', error: error ?? 'unknown kind', ...withRevoked };
  if (error !== undefined) return { state: signatureState(error), error, ...withRevoked };
  if (kind === 'pat') return { ...(await patVerdict(gk, token)), ...withRevoked };
  if (revoked) return { state: 'revoked', error: 'revoked', revoked };
  return { state: 'valid', ...withRevoked };
}

/** Why a JWKS did not arrive, in words: timeout, refused connection, HTTP status, not a JWKS. */
function fetchFailure(err: unknown, status: number | undefined): string {
  if (err instanceof errors.JWKSTimeout) return 'timed out';
  if (err instanceof errors.JWKSInvalid) return 'the response is not a JSON Web Key Set';
  if (status !== undefined && status !== 200) return `HTTP status ${status}`;
  if (err instanceof errors.JOSEError) return err.message;
  // fetch() fails with "fetch failed" and the reason (ECONNREFUSED …) as its cause.
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (code === 'ENOTFOUND') return 'host not found (ENOTFOUND)';
  if (typeof cause?.message === 'string') return cause.message;
  return (err as Error).message ?? String(err);
}

/**
 * The keys at --jwks, fetched now: a JWKS that cannot be had says so, rather
 * than leaving every token to look invalid.
 */
async function jwksFrom(text: string): Promise<JWTVerifyGetKey> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('--jwks must be a URL');
  }
  let status: number | undefined;
  const keys = createRemoteJWKSet(url, {
    [customFetch]: async (...args: Parameters<typeof fetch>) => {
      const response = await fetch(...args);
      status = response.status;
      return response;
    },
  });
  try {
    await keys.reload();
  } catch (err) {
    throw new UsageError(`cannot fetch the JWKS from ${url.href}: ${fetchFailure(err, status)}`);
  }
  return keys;
}

/** `exp` as an ISO time, if it is one a Date can hold. */
function expiryOf(claims: JWTPayload): number | undefined {
  const exp = claims.exp;
  return typeof exp === 'number' && Number.isSafeInteger(exp) && Math.abs(exp) <= 8.64e12
    ? exp
    : undefined;
}

export function inspectCommand(): Command {
  return withCommonOptions(new Command('inspect').argument('<token>'))
    .description('decode a token, say what kind it is and its state, show scopes and time left')
    .option('--jwks <url>', 'verify against this JWKS URL instead of the local keys')
    .action(async (input: string, opts: InspectOptions) => {
      const token = input.trim();
      const { header, claims } = decode(token);
      const kind = kindOfHeader(header);
      // The issuer is checked when configured (GRIDKEY_ISSUER, --config).
      const verdict =
        opts.jwks !== undefined
          ? await judge(
              kind,
              token,
              claims,
              await jwksFrom(opts.jwks),
              undefined,
              commandConfig(opts).issuer,
            )
          : await withGridkey(opts, (gk) =>
              judge(kind, token, claims, gk.keys.verificationKeys(), gk, gk.config.issuer),
            );
      const { error, revoked, state, interfaces } = verdict;
      const now = Math.floor(Date.now() / 1000);
      const exp = expiryOf(claims);
      const out = {
        valid: error === undefined,
        ...(error === undefined ? {} : { error }),
        ...(revoked === undefined ? {} : { revoked }),
        kind,
        state,
        ...(interfaces === undefined ? {} : { interfaces }),
        header,
        claims,
        scopes: scopesOf(claims),
        expires_at: exp === undefined ? null : new Date(exp * 1000).toISOString(),
        seconds_left: exp === undefined ? null : Math.max(0, exp - now),
      };
      // Every value is escaped on its own, so that a newline in a claim
      // cannot start a line of its own ("valid: true") either.
      const shown = (value: unknown) => escapeUnprintable(String(value));
      print(opts, out, () =>
        [
          `valid:        ${out.valid}${error ? ` (${shown(error)})` : ''}`,
          `kind:         ${shown(describeKind(kind, header))}`,
          `state:        ${state}${interfaces ? ` (interfaces: ${interfaces.join(' ') || 'none'})` : ''}`,
          `subject:      ${shown(claims.sub)}`,
          `scopes:       ${shown(out.scopes.join(' ')) || '(none)'}`,
          `expires:      ${out.expires_at ?? 'never'} (${out.seconds_left ?? '∞'} s left)`,
          `claims:       ${shown(JSON.stringify(claims))}`,
        ].join('\n'),
      );
      if (error !== undefined) throw new UsageError(`token is not valid: ${error}`);
    });
}
