import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerMetricsEndpoint } from '../endpoints/metrics.js';
import { NotFoundError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { rejectNonCanonicalPaths } from './canonical-path.js';
import { createErrorHandler, type ErrorHandlerSettings, sendError } from './error-response.js';

/**
 * The listener on `metricsPort`: `GET /metrics` and nothing else, so that
 * scraping can be reachable where the token endpoint is not. The caller
 * listens and closes.
 */
export function buildMetricsApp(
  metrics: Metrics,
  logger: Logger,
  settings?: ErrorHandlerSettings,
): FastifyInstance {
  const app = Fastify({
    logger: false,
    routerOptions: { ignoreDuplicateSlashes: false, ignoreTrailingSlash: false },
  });
  rejectNonCanonicalPaths(app);
  app.setErrorHandler(createErrorHandler(logger, settings));
  app.setNotFoundHandler((_req, reply) =>
    sendError(reply, new NotFoundError('no such path'), undefined),
  );
  registerMetricsEndpoint(app, metrics);
  return app;
}
