import { clientCredentialsGrant } from './client-credentials.js';
import type { Grant } from './grant.js';

export const GRANTS: ReadonlyMap<string, Grant> = new Map(
  [clientCredentialsGrant].map((g) => [g.grantType, g]),
);
