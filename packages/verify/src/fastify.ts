import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, errorResponse } from './index.js';
import { cachedToken } from './lib/cached-token.js';
import { checkCallOptions } from './lib/call-options.js';
import { checkErrorStyle, checkRealm, type ErrorStyle } from './lib/error-presets.js';
import type { PatInterface, VerifiedToken, Verifier } from './types.js';

/**
 * What a route asks for, in its `config.gridkey`.
 *
 * @example
 * ```ts
 * import type { GridkeyRouteConfig } from '@gridkey/verify/fastify';
 * const config: GridkeyRouteConfig = { scopes: ['meters:read'], interface: 'api' };
 * ```
 */
export interface GridkeyRouteConfig {
  scopes?: readonly string[];
  interface?: PatInterface;
}

/**
 * Options of the `gridkeyAuth` plugin.
 *
 * @example
 * ```ts
 * import type { GridkeyAuthOptions } from '@gridkey/verify/fastify';
 * const options: GridkeyAuthOptions = { verifier, errorStyle: 'edrv' };
 * ```
 */
export interface GridkeyAuthOptions {
  verifier: Verifier;
  /** Default `rfc6750`. */
  errorStyle?: ErrorStyle;
  /** The challenge's realm. Default `api`. */
  realm?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Protects the route: a verified token with these scopes (and PAT interface) is required. */
    gridkey?: GridkeyRouteConfig;
  }
  interface FastifyRequest {
    /** The verified token, on routes with `config.gridkey`; null elsewhere. */
    gridkey: VerifiedToken | null;
  }
}

/**
 * Fastify plugin: every route with `config: { gridkey: { scopes?, interface? } }`
 * requires a verified token, checked in an `onRequest` hook (before the body
 * is read) and put on `request.gridkey`; a refusal is answered in the chosen
 * preset. Routes without `config.gridkey` are left alone. The plugin is not
 * encapsulated (like one wrapped in fastify-plugin), so its hook sees the
 * routes of the instance it is registered on and of that instance's children.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createVerifier } from '@gridkey/verify';
 * import { gridkeyAuth } from '@gridkey/verify/fastify';
 *
 * const app = Fastify();
 * const verifier = createVerifier({ issuer: 'https://auth.example.com' });
 * await app.register(gridkeyAuth, { verifier });
 * app.get('/meters', { config: { gridkey: { scopes: ['meters:read'] } } }, async (req) => ({
 *   owner: req.gridkey?.subject,
 * }));
 * ```
 */
export const gridkeyAuth: FastifyPluginAsync<GridkeyAuthOptions> = async (fastify, options) => {
  const { verifier } = options ?? {};
  if (typeof verifier?.verify !== 'function') {
    throw new TypeError('gridkeyAuth: options.verifier must be a Verifier from createVerifier()');
  }
  const style = checkErrorStyle(options.errorStyle ?? 'rfc6750', 'gridkeyAuth: options.errorStyle');
  const realm = checkRealm(options.realm ?? 'api', 'gridkeyAuth: options.realm');
  fastify.decorateRequest('gridkey', null);
  // A route's options are checked when it is added, not on its first request.
  fastify.addHook('onRoute', (route) => {
    const config = (route.config as { gridkey?: unknown } | undefined)?.gridkey;
    if (config !== undefined) {
      checkCallOptions(config as GridkeyRouteConfig, `${route.method} ${route.url} config.gridkey`);
    }
  });
  // Callback style: a cached token (the common case) is let through without
  // a promise; anything else goes to authenticate(), which also says why.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    const config = request.routeOptions.config.gridkey;
    if (config === undefined) return done();
    const cached = cachedToken(request.raw, verifier, config);
    if (cached !== undefined) {
      request.gridkey = cached;
      return done();
    }
    authenticate(request.raw, verifier, config).then(
      (token) => {
        request.gridkey = token;
        done();
      },
      (err: unknown) => {
        const answer = errorResponse(err, style, {
          realm,
          ...(config.scopes === undefined ? {} : { scopes: config.scopes }),
        });
        if (answer.status === 500) request.log.error({ err }, 'gridkey verification failed');
        // A Buffer goes out with exactly our Content-Type: for a string Fastify
        // would append `; charset=utf-8`, which JSON:API's media type forbids.
        reply.code(answer.status).headers(answer.headers).send(Buffer.from(answer.body));
      },
    );
  });
};

// Not encapsulated, without depending on fastify-plugin: the hook applies to the parent's routes.
(gridkeyAuth as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(gridkeyAuth as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] =
  '@gridkey/verify';
