import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/metrics.js';

/** `GET /metrics`: Prometheus text format, on the main listener or on `metricsPort`. */
export function registerMetricsEndpoint(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
