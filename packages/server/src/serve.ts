import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { type Gridkey, openGridkey } from './gridkey.js';
import { buildApp } from './http/build-app.js';
import { createLogger } from './http/logger.js';
import { nowSeconds } from './lib/clock.js';

const PRUNE_INTERVAL_MS = 60_000;

export interface RunningServer {
  gk: Gridkey;
  app: FastifyInstance;
  url: string;
  logger: Logger;
  /** Stops accepting requests, finishes the ones in flight, closes the store. */
  close(): Promise<void>;
}

/** Opens the store, builds the app, listens, and starts the background loops. */
export async function startServer(
  config: Config,
  options: { logger?: Logger } = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const gk = await openGridkey(config, { ensureKeys: true });
  let app: FastifyInstance;
  try {
    app = await buildApp(gk, { logger });
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await gk.close();
    throw err;
  }
  gk.keys.start((err) =>
    logger.warn({ err: (err as Error).message }, 'signing key refresh failed'),
  );
  const prune = setInterval(() => {
    gk.store.revocations
      .deleteExpired(nowSeconds(gk.clock))
      .catch((err) => logger.warn({ err: (err as Error).message }, 'revocation pruning failed'));
  }, PRUNE_INTERVAL_MS);
  prune.unref();
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, db: gk.store.dialect, profiles: config.profiles }, 'gridkey listening');
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
    logger,
    async close() {
      clearInterval(prune);
      await app.close();
      await gk.close();
    },
  };
}
