import { clientCredentialsGrant } from './client-credentials.js';
import type { Grant } from './grant.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh-token.js';

export const GRANTS: ReadonlyMap<string, Grant> = new Map(
  [clientCredentialsGrant, passwordGrant, refreshTokenGrant].map((g) => [g.grantType, g]),
);
