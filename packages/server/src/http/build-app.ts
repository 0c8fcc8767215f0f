import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { registerOperationsEndpoints } from '../endpoints/health.js';
import { registerIntrospectionEndpoint } from '../endpoints/introspect.js';
import { registerJwksEndpoint } from '../endpoints/jwks.js';
import { registerMetadataEndpoints } from '../endpoints/metadata.js';
import { registerRevocationFeed } from '../endpoints/revocation-feed.js';
import { registerRevocationEndpoint } from '../endpoints/revoke.js';
import { registerTokenEndpoint } from '../endpoints/token.js';
import { NotFoundError } from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import { createMetrics } from '../metrics/metrics.js';
import { resolveTokenRoutes } from '../profiles/index.js';
import { errorHandler, sendError } from './error-response.js';
import { FormParams } from './form-params.js';
import { issuerResolver } from './issuer.js';
import './route-config.js';

export interface AppOptions {
  logger: Logger;
  /** Overrides config.issuer (tests); otherwise the listening URL. */
  issuer?: string;
}

/** Builds the HTTP server over an opened {@link Gridkey}; the caller listens and closes. */
export async function buildApp(gk: Gridkey, options: AppOptions): Promise<FastifyInstance> {
  const routes = resolveTokenRoutes(gk.config.profiles);
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // One log line per request, written below without query string or body.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: gk.config.bodyLimitBytes,
    trustProxy: false,
  });
  const issuer = issuerResolver(app, options.issuer ?? gk.config.issuer);
  const metrics = createMetrics(gk.events);

  // The parser keeps URLSearchParams (typed by formbody as a plain record) so
  // FormParams can see repeated parameters.
  const parser = FormParams.parse as unknown as (text: string) => Record<string, unknown>;
  await app.register(formbody, { parser, bodyLimit: gk.config.bodyLimitBytes });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_req, reply) =>
    sendError(reply, new NotFoundError('no such path'), undefined),
  );

  app.addHook('onResponse', async (req, reply) => {
    const path = req.url.split('?', 1)[0];
    if (req.routeOptions.config.tokenEndpoint) {
      metrics.tokenRequestSeconds.observe(
        { path: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    }
    req.log.info(
      {
        method: req.method,
        path,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });

  registerTokenEndpoint(app, gk, issuer, routes);
  registerIntrospectionEndpoint(app, gk, issuer);
  registerRevocationEndpoint(app, gk, issuer);
  registerRevocationFeed(app, gk);
  registerJwksEndpoint(app, gk);
  registerMetadataEndpoints(app, issuer);
  registerOperationsEndpoints(app, gk, metrics);
  return app;
}
