import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../gridkey.js';

/** RFC 7517 key set: public halves only, every algorithm in use. */
export function registerJwksEndpoint(app: FastifyInstance, gk: Gridkey) {
  // A new key is published keyActivationDelaySeconds before it signs, and
  // every node has seen it within one poll interval: a cache that expires
  // before the sum of both never misses a key in use; jwksMaxAgeSeconds caps it.
  const maxAge = Math.max(
    0,
    Math.min(
      gk.config.jwksMaxAgeSeconds,
      gk.config.keyActivationDelaySeconds - Math.ceil(gk.config.keyPollIntervalSeconds),
    ),
  );
  app.get('/.well-known/jwks.json', async (_req, reply) => {
    reply
      .header('cache-control', maxAge > 0 ? `public, max-age=${maxAge}` : 'no-cache')
      .type('application/jwk-set+json');
    return gk.keys.jwks();
  });
}
