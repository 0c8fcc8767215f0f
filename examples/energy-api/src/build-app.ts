import type { Verifier } from '@gridkey/verify';
import { gridkeyAuth } from '@gridkey/verify/fastify';
import Fastify, { type FastifyInstance, type FastifyLoggerOptions } from 'fastify';
import type { EnergyDb } from './db.js';
import { installErrorHandlers } from './error-handler.js';
import type { ErrorStyle } from './error-style.js';
import { registerMeterRoutes } from './routes/meters.js';
import { registerReadingRoutes } from './routes/readings.js';

export type { Verifier };

/** What {@link buildEnergyApi} needs; the caller owns `verifier` and `db` and closes them. */
export interface EnergyApiOptions {
  /** Checks every data route's token; `'off'` serves them unchecked (benchmark only). */
  verifier: Verifier | 'off';
  db: EnergyDb;
  /** The shape of every error answer, the verifier's and the API's own. Default `rfc6750`. */
  errorStyle?: ErrorStyle;
  /** Fastify's `logger` option; default off. The query string is never logged. */
  logger?: boolean | { level: string };
}

// Room for MAX_READINGS_PER_POST readings of ~60 bytes each, and little more.
const BODY_LIMIT_BYTES = 256 * 1024;

/**
 * Builds the energy API: `GET /meters`, `GET` and `POST /meters/:id/readings`,
 * each behind `@gridkey/verify` with its own scope, and `GET /healthz` with
 * none. The caller listens (port 0 in tests) and closes.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ issuer: 'http://127.0.0.1:8080' });
 * const db = await openEnergyDb(':memory:');
 * const app = await buildEnergyApi({ verifier, db });
 * await app.listen({ host: '127.0.0.1', port: 0 });
 * // …
 * await app.close();
 * await verifier.close();
 * await db.destroy();
 * ```
 */
export async function buildEnergyApi(options: EnergyApiOptions): Promise<FastifyInstance> {
  const { verifier, db } = options;
  const errorStyle = options.errorStyle ?? 'rfc6750';
  const app = Fastify({
    logger: loggerOptions(options.logger),
    bodyLimit: BODY_LIMIT_BYTES,
    // An unknown member is refused with a 400, not silently dropped, and
    // `"kwh": "1.5"` is a string, not a number: bad input changes nothing stored.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  installErrorHandlers(app, errorStyle);
  // JSON only: a text/plain body is a 415, not a string that fails the schema.
  app.removeContentTypeParser('text/plain');

  // Liveness: always 200 while the process serves. `degraded` says the verifier
  // cannot vouch for PATs and API keys right now (keys not loaded, feed stale).
  app.get('/healthz', async () => {
    if (verifier === 'off') return { status: 'ok', verifier: 'off' };
    const health = verifier.health();
    return { status: health.ok ? 'ok' : 'degraded', verifier: health };
  });

  if (verifier !== 'off') await app.register(gridkeyAuth, { verifier, errorStyle });
  registerMeterRoutes(app, db);
  registerReadingRoutes(app, db);
  return app;
}

function loggerOptions(logger: EnergyApiOptions['logger']): FastifyLoggerOptions | false {
  if (logger === undefined || logger === false) return false;
  return {
    ...(logger === true ? {} : logger),
    serializers: {
      // Never the query string: a client that wrongly puts its token there
      // (refused with a 400) must not also leak it into the log.
      req: (req) => ({ method: req.method, path: req.url.split('?', 1)[0] }),
    },
  };
}
