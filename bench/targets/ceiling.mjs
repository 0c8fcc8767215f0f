// The ceiling: the least a Node token endpoint can do for this request (Fastify, form parsing,
// one in-memory client, Basic credential check, ES256 signature). Nothing else, no logging.
//
// With BENCH_CEILING_OBSERVED=1 (the `ceiling-observed` target) it also does what issue 2's
// operations point asks of every token request, and nothing more: one structured pino request
// line, and prom-client's token counter and latency histogram. That shows how close to the
// ceiling any token service observed this way can get.
import Fastify from 'fastify';
import { importDependency } from '../lib/config.mjs';
import {
  AUDIENCE,
  accessTokenClaims,
  createEs256Signer,
  createSecretCheck,
  HOST,
  parseBasicCredentials,
  readTargetSettings,
  TOKEN_TTL_SECONDS,
} from './shared.mjs';

const { default: formbody } = await importDependency('@fastify/formbody');
const settings = readTargetSettings();
const signJwt = createEs256Signer();
const secretMatches = createSecretCheck(settings.clientSecret);

const app = Fastify({ logger: false });
await app.register(formbody);
const observed = process.env.BENCH_CEILING_OBSERVED === '1' ? await observe(app) : undefined;

app.get('/readyz', async () => ({ status: 'ok' }));

app.post('/token', { onResponse: observed?.onTokenResponse }, async (request, reply) => {
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
  observed?.tokenIssued();
  return {
    access_token: signJwt(claims),
    token_type: 'Bearer',
    expires_in: TOKEN_TTL_SECONDS,
  };
});

await app.listen({ host: HOST, port: settings.port });

// A request log line on every route (pino's fastest standard set-up: asynchronous, buffered
// stdout; secrets redacted), tokens issued by grant and outcome, and the token latency histogram.
async function observe(fastify) {
  const { pino } = await importDependency('pino');
  const { Counter, Histogram, Registry } = await importDependency('prom-client');
  const logger = pino(
    {
      redact: { paths: ['req.headers.authorization', 'body.client_secret'], censor: '[redacted]' },
    },
    pino.destination({ dest: 1, sync: false, minLength: 4096 }),
  );
  fastify.addHook('onResponse', (request, reply, done) => {
    const path = request.url.split('?', 1)[0];
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    logger.info({ method: request.method, path, status: reply.statusCode, ms }, 'request');
    done();
  });
  const registers = [new Registry()];
  const issued = new Counter({
    name: 'tokens_issued_total',
    help: 'Token endpoint outcomes by grant type',
    labelNames: ['grant_type', 'outcome'],
    registers,
  }).labels({ grant_type: 'client_credentials', outcome: 'issued' });
  const latency = new Histogram({
    name: 'token_request_duration_seconds',
    help: 'Token endpoint latency',
    labelNames: ['path', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  return {
    tokenIssued: () => issued.inc(),
    onTokenResponse(_request, reply, done) {
      const status = String(reply.statusCode);
      latency.labels({ path: '/token', status }).observe(reply.elapsedTime / 1000);
      done();
    },
  };
}
