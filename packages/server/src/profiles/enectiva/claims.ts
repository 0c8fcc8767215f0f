import { randomBytes } from 'node:crypto';
import type { ExchangeDialect } from '../../grants/login-token-exchange.js';
import type { ClaimShaper } from '../../tokens/access-token.js';

/** The seed: "For access tokens, the validity is limited to 5 minutes." */
export const ENECTIVA_ACCESS_TOKEN_TTL_SECONDS = 300;

/**
 * Enectiva's access-token dialect (seeds/enectiva-access-tokens.txt): the
 * documented example carries `scp`, `jit` (the id), `lti` (login token id),
 * `sub`, `exp` and `key` (signing key number); the standard claims stay too.
 */
export function enectivaClaims(loginTokenId: number, scopes: readonly string[]): ClaimShaper {
  return (standard, key) => ({
    scp: [...scopes],
    jit: standard.jti,
    lti: loginTokenId,
    sub: standard.sub,
    exp: standard.exp,
    key: key.number,
    iat: standard.iat,
    iss: standard.iss,
    aud: standard.aud,
    jti: standard.jti,
  });
}

/** What the login-token exchange issues on Enectiva's route. */
export const enectivaExchange: ExchangeDialect = {
  ttlSeconds: ENECTIVA_ACCESS_TOKEN_TTL_SECONDS,
  // The seed's ids are 16 hex characters ("c0f687ac6b47c3ab").
  newTokenId: () => randomBytes(8).toString('hex'),
  claims: (loginToken) => enectivaClaims(loginToken.id, loginToken.scopes),
};
