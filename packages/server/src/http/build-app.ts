import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerAdmin } from '../admin/register-admin.js';
import { parseTrustProxy } from '../config/trust-proxy.js';
import { registerOperationsEndpoints } from '../endpoints/health.js';
import { registerIntrospectionEndpoint } from '../endpoints/introspect.js';
import { registerJwksEndpoint } from '../endpoints/jwks.js';
import { registerMetadataEndpoints } from '../endpoints/metadata.js';
import { registerMetricsEndpoint } from '../endpoints/metrics.js';
import { registerRevocationFeed } from '../endpoints/revocation-feed.js';
import { registerRevocationEndpoint } from '../endpoints/revoke.js';
import { registerTokenEndpoint } from '../endpoints/token.js';
import { NotFoundError } from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import { UsageRecorder } from '../lib/usage-recorder.js';
import { createServerLimits } from '../limits/server-limits.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { registerProfileRoutes, resolveTokenRoutes } from '../profiles/index.js';
import { recordUsage, type UsageRecording } from '../usage/record-usage.js';
import { rejectNonCanonicalPaths } from './canonical-path.js';
import { createErrorHandler, sendError, toOAuthError } from './error-response.js';
import { FormParams } from './form-params.js';
import { issuerResolver } from './issuer.js';
import './route-config.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This node's usage recorder; null when `usageRecording` is off. `flush()` writes now. */
    usage: UsageRecording | null;
  }
  interface FastifyRequest {
    /** The client the token endpoint authenticated, for the request line; never a secret. */
    clientId: string | undefined;
  }
}

export interface AppOptions {
  logger: Logger;
  /** Overrides config.issuer (tests); otherwise the listening URL. */
  issuer?: string;
  /** The registry to fill; a new one otherwise. The metrics listener shares it. */
  metrics?: Metrics;
}

/** Builds the HTTP server over an opened {@link Gridkey}; the caller listens and closes. */
export async function buildApp(gk: Gridkey, options: AppOptions): Promise<FastifyInstance> {
  const routes = resolveTokenRoutes(gk.config.profiles);
  const app = Fastify({
    // Fastify's own per-request child loggers cost ~10% of token-endpoint
    // throughput (measured); the one request line is written below instead.
    logger: false,
    bodyLimit: gk.config.bodyLimitBytes,
    // Off unless configured: then budgets and the audit log see the address
    // the trusted proxies forwarded, not the proxy's own.
    trustProxy: parseTrustProxy(gk.config.trustProxy),
    // Each endpoint has one spelling, so that a proxy rule on the raw path
    // holds: the router merges no slashes and keeps `/x/` apart from `/x`
    // (a route such as the enectiva seed's `//access_tokens` is one of its own).
    routerOptions: { ignoreDuplicateSlashes: false, ignoreTrailingSlash: false },
    // Unknown members are refused (400), not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    // What the router refuses before any route runs (a path parameter that
    // is not valid UTF-8 once decoded, or longer than any id) is answered
    // like an unknown path, not with Fastify's own body, which repeats the path.
    frameworkErrors: (err, _req, reply) =>
      sendError(
        reply,
        err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new NotFoundError('no such path')
          : toOAuthError(err, gk.config.dbUnavailableRetryAfterSeconds),
        undefined,
      ),
  });
  const logger = options.logger;
  const issuer = issuerResolver(app, options.issuer ?? gk.config.issuer);
  const metrics = options.metrics ?? createMetrics(gk.events);
  // First of all hooks: find-my-way decodes `%6d` before matching.
  rejectNonCanonicalPaths(app);

  // The parser keeps URLSearchParams (typed by formbody as a plain record) so
  // FormParams can see repeated parameters.
  const parser = FormParams.parse as unknown as (text: string) => Record<string, unknown>;
  await app.register(formbody, { parser, bodyLimit: gk.config.bodyLimitBytes });
  app.setErrorHandler(createErrorHandler(logger, gk.config));
  app.setNotFoundHandler((_req, reply) =>
    sendError(reply, new NotFoundError('no such path'), undefined),
  );

  // Declared up front, so every request object has the same shape.
  app.decorateRequest('clientId', undefined);
  // One line per request: never the query string, headers or body.
  app.addHook('onResponse', (req, reply, done) => {
    const path = req.url.split('?', 1)[0];
    // 429s at debug: a flood of refused requests must not flood the logs too.
    logger[reply.statusCode === 429 ? 'debug' : 'info'](
      {
        method: req.method,
        path,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        // Left out of the line (pino drops undefined) unless a client authenticated.
        client_id: req.clientId,
      },
      'request',
    );
    done();
  });

  // Usage counts (docs/operations.md, "Usage"): an increment per event, written in batches.
  const usageRecording = gk.config.usageRecording
    ? recordUsage({
        events: gk.events,
        store: gk.store.usage,
        clock: gk.clock,
        flushIntervalMs: gk.config.usageFlushIntervalMs,
        onFlushError: (err) =>
          logger.warn(
            { err: (err as Error).message },
            'writing usage counts failed; they are kept for the next flush',
          ),
      })
    : null;
  app.decorate('usage', usageRecording);
  // The final flush, once requests have finished (app.close runs onClose after them).
  if (usageRecording !== null) app.addHook('onClose', () => usageRecording.stop());

  const limits = createServerLimits(gk.config, logger);
  app.addHook('onClose', () => limits.close());
  await limits.ready();
  const usage = (what: string, write: (id: string, now: number) => Promise<void>) =>
    new UsageRecorder(
      gk.clock,
      gk.config.lastUsedDebounceSeconds,
      write,
      (err) => logger.warn({ err: (err as Error).message }, `recording ${what} use failed`),
      gk.config.lastUsedMaxTrackedIds,
    );
  const clientUsage = usage('client', (id, now) => gk.store.clients.touch(id, now));
  registerTokenEndpoint(app, { gk, limits, issuer, clientUsage, metrics }, routes);
  // The routes of the named profiles' own (enectiva: `POST /access_tokens`).
  await registerProfileRoutes(app, gk.config.profiles, { gk, issuer, limits });
  const apiKeyUsage = usage('API key', (id, now) => gk.store.apiKeys.touch(id, now));
  registerIntrospectionEndpoint(app, gk, issuer, limits.clientAuth, apiKeyUsage);
  registerRevocationEndpoint(app, gk, issuer, limits.clientAuth);
  registerRevocationFeed(app, gk);
  registerJwksEndpoint(app, gk);
  registerMetadataEndpoints(app, issuer);
  registerOperationsEndpoints(app, gk, logger);
  // With a metrics listener, /metrics is served there only (serve.ts).
  if (gk.config.metricsPort === undefined) registerMetricsEndpoint(app, metrics);
  await registerAdmin(app, gk, issuer);
  return app;
}
