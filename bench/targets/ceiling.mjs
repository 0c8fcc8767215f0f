// The ceiling: the least a Node token endpoint can do for this request (Fastify, form parsing,
// one in-memory client, Basic credential check, ES256 signature). Nothing else, no logging.
import Fastify from 'fastify';
import { importDependency } from '../resolve-dependency.mjs';
import { createSecretCheck, parseBasicCredentials } from './client-secret-basic.mjs';
import { accessTokenClaims, createEs256Signer } from './es256-jwt.mjs';
import { AUDIENCE, HOST, readTargetSettings, TOKEN_TTL_SECONDS } from './target-settings.mjs';

const { default: formbody } = await importDependency('@fastify/formbody');
const settings = readTargetSettings();
const signJwt = createEs256Signer();
const secretMatches = createSecretCheck(settings.clientSecret);

const app = Fastify({ logger: false });
await app.register(formbody);

app.get('/readyz', async () => ({ status: 'ok' }));

app.post('/token', async (request, reply) => {
  reply.header('cache-control', 'no-store');
  const credentials = parseBasicCredentials(request.headers.authorization);
  if (
    !credentials ||
    credentials.clientId !== settings.clientId ||
    !secretMatches(credentials.clientSecret)
  ) {
    return reply.code(401).header('www-authenticate', 'Basic').send({ error: 'invalid_client' });
  }
  if (request.body?.grant_type !== 'client_credentials') {
    return reply.code(400).send({ error: 'unsupported_grant_type' });
  }
  const claims = accessTokenClaims({
    issuer: settings.issuer,
    audience: AUDIENCE,
    clientId: credentials.clientId,
    ttlSeconds: TOKEN_TTL_SECONDS,
  });
  return {
    access_token: signJwt(claims),
    token_type: 'Bearer',
    expires_in: TOKEN_TTL_SECONDS,
  };
});

await app.listen({ host: HOST, port: settings.port });
