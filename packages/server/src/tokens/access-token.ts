import { randomUUID } from 'node:crypto';
import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import type { Config } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { signCompactJws } from '../keys/compact-jws.js';
import type { SigningKeySource, VerificationKeySource } from '../keys/key-ring.js';
import { type Clock, nowSeconds } from '../lib/clock.js';
import type { RevocationStore } from '../store/types.js';

/** RFC 9068 §2.1: the media type of JWT access tokens. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** What issuing an access token uses: the signing key in force, and the time. */
export interface AccessTokenSigning {
  keys: SigningKeySource;
  clock: Clock;
}

/** What verifying one of our access tokens uses: the published keys, and the time. */
export interface AccessTokenVerification {
  keys: VerificationKeySource;
  clock: Clock;
}

/** What revoking an access token by its id uses. */
export interface AccessTokenRevocation {
  store: { revocations: Pick<RevocationStore, 'revoke'> };
  clock: Clock;
  config: Pick<Config, 'accessTokenMaxTtlSeconds'>;
}

export interface AccessTokenInput {
  issuer: string;
  subject: string;
  /** Absent when no OAuth client is involved (login-token exchange). */
  clientId?: string;
  audience: string | readonly string[];
  scopes: readonly string[];
  ttlSeconds: number;
  /** Defaults to a random UUID. */
  jti?: string;
  /** `iat`, when the caller issues several tokens at one instant; defaults to now. */
  issuedAt?: number;
}

/** The RFC 9068 claim set before a profile reshapes it. */
export interface StandardAccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | readonly string[];
  client_id?: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
}

/** A profile's claim dialect: reshapes the standard claims, knowing the signing key's number. */
export type ClaimShaper = (
  claims: StandardAccessTokenClaims,
  key: { number: number },
) => Record<string, unknown>;

export interface IssuedAccessToken {
  token: string;
  jti: string;
  iat: number;
  exp: number;
}

/** Signs an RFC 9068 access token with the current ES256 key, in a profile's dialect if given. */
export function issueAccessToken(
  deps: AccessTokenSigning,
  input: AccessTokenInput,
  shape?: ClaimShaper,
): IssuedAccessToken {
  const signing = deps.keys.signingKey('ES256');
  const iat = input.issuedAt ?? nowSeconds(deps.clock);
  const exp = iat + input.ttlSeconds;
  const jti = input.jti ?? randomUUID();
  const claims: StandardAccessTokenClaims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience,
    ...(input.clientId === undefined ? {} : { client_id: input.clientId }),
    scope: input.scopes.join(' '),
    iat,
    exp,
    jti,
  };
  const payload: object = shape === undefined ? claims : shape(claims, signing);
  const header = { alg: signing.alg, kid: signing.kid, typ: ACCESS_TOKEN_TYP };
  return { token: signCompactJws(header, payload, signing.key), jti, iat, exp };
}

export interface VerifiedAccessToken extends JWTPayload {
  jti: string;
  exp: number;
  client_id?: string;
  scope?: string;
  /** The enectiva dialect's permissions. */
  scp?: string[];
}

/** The token's scopes, whichever dialect carries them. */
export function scopesOf(claims: JWTPayload): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter(Boolean);
  if (Array.isArray(claims.scp)) return claims.scp.map(String);
  return [];
}

/**
 * Verifies that a token is one of ours and unexpired (signature against the
 * published keys, `typ`, issuer). Returns undefined for anything else; the
 * reason does not matter to introspection or revocation (RFC 7662 §2.2,
 * RFC 7009 §2.2), which answer the same for every invalid token.
 */
export async function verifyAccessToken(
  deps: AccessTokenVerification,
  token: string,
  issuer: string | undefined,
): Promise<VerifiedAccessToken | undefined> {
  try {
    const { payload } = await jwtVerify(token, deps.keys.verificationKeys(), {
      typ: ACCESS_TOKEN_TYP,
      algorithms: ['ES256', 'RS256'],
      currentDate: new Date(deps.clock.now()),
      clockTolerance: 0,
      requiredClaims: ['jti', 'exp'],
      ...(issuer === undefined ? {} : { issuer }),
    });
    return payload as VerifiedAccessToken;
  } catch (err) {
    if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return undefined;
    throw err;
  }
}

/**
 * Revokes one access token by its `jti` (the operator's kill switch for one
 * token, e.g. from a log line). Its `exp` is not known here, so the
 * revocation is kept as long as any access token may live.
 */
export async function revokeAccessTokenById(
  deps: AccessTokenRevocation,
  jti: string,
): Promise<void> {
  if (!/^[\x21-\x7e]{1,200}$/.test(jti)) {
    throw new UsageError('a jti is 1 to 200 visible ASCII characters');
  }
  const now = nowSeconds(deps.clock);
  await deps.store.revocations.revoke({
    jti,
    exp: now + deps.config.accessTokenMaxTtlSeconds,
    revokedAt: now,
  });
}
