import { randomUUID } from 'node:crypto';
import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import type { Gridkey } from '../gridkey.js';
import { signCompactJws } from '../keys/compact-jws.js';
import { nowSeconds } from '../lib/clock.js';

/** RFC 9068 §2.1: the media type of JWT access tokens. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

export interface AccessTokenInput {
  issuer: string;
  subject: string;
  clientId: string;
  audience: string | readonly string[];
  scopes: readonly string[];
  ttlSeconds: number;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  iat: number;
  exp: number;
}

/** Signs an RFC 9068 access token with the current ES256 key. */
export function issueAccessToken(gk: Gridkey, input: AccessTokenInput): IssuedAccessToken {
  const { kid, alg, key } = gk.keys.signingKey('ES256');
  const iat = nowSeconds(gk.clock);
  const exp = iat + input.ttlSeconds;
  const jti = randomUUID();
  const claims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience,
    client_id: input.clientId,
    scope: input.scopes.join(' '),
    iat,
    exp,
    jti,
  };
  return { token: signCompactJws({ alg, kid, typ: ACCESS_TOKEN_TYP }, claims, key), jti, iat, exp };
}

export interface VerifiedAccessToken extends JWTPayload {
  jti: string;
  exp: number;
  client_id: string;
  scope?: string;
}

/**
 * Verifies that a token is one of ours and unexpired (signature against the
 * published keys, `typ`, issuer). Returns undefined for anything else; the
 * reason does not matter to introspection or revocation (RFC 7662 §2.2,
 * RFC 7009 §2.2), which answer the same for every invalid token.
 */
export async function verifyAccessToken(
  gk: Gridkey,
  token: string,
  issuer: string | undefined,
): Promise<VerifiedAccessToken | undefined> {
  try {
    const { payload } = await jwtVerify(token, gk.keys.verificationKeys(), {
      typ: ACCESS_TOKEN_TYP,
      algorithms: ['ES256', 'RS256'],
      currentDate: new Date(gk.clock.now()),
      clockTolerance: 0,
      requiredClaims: ['jti', 'exp', 'client_id'],
      ...(issuer === undefined ? {} : { issuer }),
    });
    return payload as VerifiedAccessToken;
  } catch (err) {
    if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return undefined;
    throw err;
  }
}
