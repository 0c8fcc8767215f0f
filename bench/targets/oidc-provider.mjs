// panva/oidc-provider v9 with its default in-memory adapter and one client_credentials client.
// It only issues JWT access tokens for a resource server (RFC 8707), so every request is
// defaulted to one resource whose tokens are JWTs signed with ES256.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { AUDIENCE, HOST, readTargetSettings, TOKEN_TTL_SECONDS } from './shared.mjs';

const settings = readTargetSettings();

// Passing our own key and cookie secret avoids the development-only key warnings.
const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  format: 'jwk',
});

const provider = new Provider(settings.issuer, {
  clients: [
    {
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  // Our only key is EC P-256, so clients must default to ES256 rather than RS256.
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [{ ...signingKey, kid: 'bench-es256', alg: 'ES256', use: 'sig' }] },
  // Set explicitly so the provider does not print a notice about its default ttl function.
  ttl: { ClientCredentials: TOKEN_TTL_SECONDS },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Without a `resource` parameter the token would be opaque; default it to our audience.
      defaultResource: () => AUDIENCE,
      getResourceServerInfo: () => ({
        scope: '',
        audience: AUDIENCE,
        accessTokenTTL: TOKEN_TTL_SECONDS,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});

createServer(provider.callback()).listen(settings.port, HOST);
