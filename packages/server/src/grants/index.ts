import { type ClientCredentialsDeps, clientCredentialsGrant } from './client-credentials.js';
import type { Grant } from './grant.js';
import { type PasswordGrantDeps, passwordGrant } from './password.js';
import { type RefreshTokenGrantDeps, refreshTokenGrant } from './refresh-token.js';

/** The grant types the token endpoint serves (RFC 8414 `grant_types_supported`). */
export const GRANT_TYPES = ['client_credentials', 'password', 'refresh_token'] as const;

/** What the three grants use together. */
export type GrantsDeps = ClientCredentialsDeps & PasswordGrantDeps & RefreshTokenGrantDeps;

/** The token endpoint's grants by grant type, each given only what it uses. */
export function createGrants(deps: GrantsDeps): ReadonlyMap<string, Grant> {
  const grants = [clientCredentialsGrant(deps), passwordGrant(deps), refreshTokenGrant(deps)];
  return new Map(grants.map((g) => [g.grantType, g]));
}
