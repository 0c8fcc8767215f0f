import type { ClaimShaper } from '../tokens/access-token.js';
import type { Profile } from './profile.js';

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

/**
 * The login-token exchange at `POST /access_tokens` is served in every
 * deployment (DESIGN.md); naming the profile changes no token path.
 */
export const enectivaProfile: Profile = {
  name: 'enectiva',
  tokenPaths: [],
};
