import type { FastifyInstance } from 'fastify';
import { CLIENT_AUTH_METHODS } from '../clients/client-registry.js';
import { GRANT_TYPES } from '../grants/index.js';
import { SIGNING_ALGORITHMS } from '../keys/signing-key.js';

/** RFC 8414 authorization server metadata (also at the OpenID Connect discovery path). */
export function registerMetadataEndpoints(app: FastifyInstance, issuer: () => string) {
  const metadata = () => {
    const base = issuer();
    return {
      issuer: base,
      token_endpoint: `${base}/oauth2/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      introspection_endpoint: `${base}/oauth2/introspect`,
      revocation_endpoint: `${base}/oauth2/revoke`,
      grant_types_supported: [...GRANT_TYPES],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      access_token_signing_alg_values_supported: ['ES256'],
      id_token_signing_alg_values_supported: SIGNING_ALGORITHMS,
      subject_types_supported: ['public'],
    };
  };
  for (const path of [
    '/.well-known/oauth-authorization-server',
    '/.well-known/openid-configuration',
  ]) {
    app.get(path, async () => metadata());
  }
}
