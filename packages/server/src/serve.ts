import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { listenerUrl } from './config/issuer.js';
import type { Config } from './config/schema.js';
import { type Gridkey, openGridkey } from './gridkey.js';
import { buildApp } from './http/build-app.js';
import { buildMetricsApp } from './http/build-metrics-app.js';
import { createLogger } from './http/logger.js';
import { nowSeconds } from './lib/clock.js';
import { startPruner } from './maintenance/pruner.js';
import { createMetrics } from './metrics/metrics.js';

export interface RunningServer {
  gk: Gridkey;
  app: FastifyInstance;
  url: string;
  /** The metrics listener's URL when `metricsPort` is set. */
  metricsUrl?: string;
  logger: Logger;
  /** Stops accepting requests, finishes the ones in flight, closes the store. */
  close(): Promise<void>;
}

function listeningUrl(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  return listenerUrl(address.address, address.port);
}

/** Opens the store, builds the app, listens, and starts the background loops. */
export async function startServer(
  config: Config,
  options: { logger?: Logger } = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const gk = await openGridkey(config, { ensureKeys: true });
  const metrics = createMetrics(gk.events);
  let app: FastifyInstance | undefined;
  let metricsApp: FastifyInstance | undefined;
  try {
    app = await buildApp(gk, { logger, metrics });
    await app.listen({ host: config.host, port: config.port });
    if (config.metricsPort !== undefined) {
      metricsApp = buildMetricsApp(metrics, logger, config);
      await metricsApp.listen({
        host: config.metricsHost ?? config.host,
        port: config.metricsPort,
      });
    }
  } catch (err) {
    await metricsApp?.close();
    await app?.close();
    await gk.close();
    throw err;
  }
  gk.keys.start((err) =>
    logger.warn({ err: (err as Error).message }, 'signing key refresh failed'),
  );
  const pruner = startPruner({
    store: gk.store,
    now: () => nowSeconds(gk.clock),
    settings: config,
    onRun: (run) => {
      gk.events.emit('store.pruned', run);
      if (Object.keys(run.removed).length > 0) {
        logger.info({ removed: run.removed, complete: run.complete }, 'pruned');
      }
    },
    onError: (err) => logger.warn({ err: (err as Error).message }, 'pruning failed'),
  });
  const url = listeningUrl(app);
  const metricsUrl = metricsApp === undefined ? undefined : `${listeningUrl(metricsApp)}/metrics`;
  logger.info(
    { url, metricsUrl, db: gk.store.dialect, profiles: config.profiles },
    'gridkey listening',
  );
  if (config.issuer === undefined && ['0.0.0.0', '::'].includes(config.host)) {
    logger.warn(
      { issuer: url },
      'no --issuer set while listening on all addresses: set the public URL so that every node agrees on iss',
    );
  }
  logger.flush();
  return {
    gk,
    app,
    url,
    ...(metricsUrl === undefined ? {} : { metricsUrl }),
    logger,
    async close() {
      await pruner.stop();
      await metricsApp?.close();
      await app.close();
      await gk.close();
    },
  };
}
