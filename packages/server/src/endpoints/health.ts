import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Gridkey } from '../gridkey.js';

/** Liveness and readiness (the store answers); metrics are in `metrics.ts`. */
export function registerOperationsEndpoints(app: FastifyInstance, gk: Gridkey, logger: Logger) {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        gk.store.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('store ping timed out')),
            gk.config.readyTimeoutMs,
          );
        }),
      ]);
      return { status: 'ready' };
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'store unreachable');
      return reply.code(503).send({ status: 'unavailable', reason: 'store unreachable' });
    } finally {
      clearTimeout(timer);
    }
  });
}
