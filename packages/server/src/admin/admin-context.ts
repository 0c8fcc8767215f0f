import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Gridkey } from '../gridkey.js';
import { type OperationContext, operationContext } from '../operations/context.js';
import type { PatRecord } from '../store/types.js';
import { actorOf, authenticateAdmin } from './admin-auth.js';

export interface AdminRequest {
  req: FastifyRequest;
  reply: FastifyReply;
  admin: PatRecord;
  now: number;
  /**
   * The operations layer's context: this admin, from this address, now.
   * Routes act only through operations, which audit every action (and its
   * outcome) themselves: there is no audit call of a route's own.
   */
  ops: OperationContext;
}

type Handler = (ctx: AdminRequest) => Promise<unknown>;

/** The admin each request authenticated as, set by the route's onRequest hook. */
const admins = new WeakMap<FastifyRequest, PatRecord>();

/**
 * What an admin route is: its request schemas (validated by Fastify), and
 * for the OpenAPI document its summary and its success answer.
 */
export interface AdminRouteSchema {
  summary: string;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** The success answer, by status (200, or 201 for a creation). */
  response: { 200: TSchema } | { 201: TSchema };
}

/** One registered admin route, as the OpenAPI document and the tests read it. */
export interface AdminRouteSpec {
  method: AdminMethod;
  /** Fastify's form: `/admin/api/clients/:id`. */
  url: string;
  schema: AdminRouteSchema;
}

type AdminMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** The key under which a route's `config` carries its AdminRouteSchema. */
const ADMIN_SCHEMA = 'gridkeyAdminSchema';

/** The admin routes of each app, collected by `collectAdminRoutes`'s onRoute hook. */
const registered = new WeakMap<FastifyInstance, AdminRouteSpec[]>();

/**
 * Collects every route registered on `app` from now on under /admin/api/
 * (but its public OpenAPI document); one that was not registered through
 * `adminRoute` is refused, so none can go undocumented.
 */
export function collectAdminRoutes(app: FastifyInstance, except: readonly string[]): void {
  const routes: AdminRouteSpec[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/admin/api/') || except.includes(route.url)) return;
    // Fastify adds HEAD to every GET route: the same route, not another operation.
    if (route.method === 'HEAD') return;
    const schema = (route.config as Record<string, unknown> | undefined)?.[ADMIN_SCHEMA] as
      | AdminRouteSchema
      | undefined;
    if (schema === undefined || typeof route.method !== 'string') {
      throw new TypeError(`${String(route.method)} ${route.url}: register it with adminRoute`);
    }
    routes.push({ method: route.method as AdminMethod, url: route.url, schema });
  });
}

/** The admin routes `app` registered, in registration order. */
export function adminRoutes(app: FastifyInstance): readonly AdminRouteSpec[] {
  return registered.get(app) ?? [];
}

/**
 * Registers one admin route: bearer-authenticated, acting through the operations layer (which
 * audits every action), never cached.
 *
 * The response schema is not given to Fastify to serialise with: its
 * serialiser silently drops a field the schema does not name (and coerces
 * types), so a gap in a schema would change an answer without failing
 * anything. Answers stay JSON.stringify'd as the operations return them, and
 * test/admin/admin-responses.test.ts checks a real answer of every admin
 * route against its (closed) schema, so a gap fails that test instead.
 */
export function adminRoute(
  app: FastifyInstance,
  gk: Gridkey,
  method: AdminMethod,
  url: string,
  schema: AdminRouteSchema,
  handler: Handler,
): void {
  const { params, querystring, body } = schema;
  app.route({
    method,
    url,
    schema: {
      ...(params === undefined ? {} : { params }),
      ...(querystring === undefined ? {} : { querystring }),
      ...(body === undefined ? {} : { body }),
    },
    config: { [ADMIN_SCHEMA]: schema },
    // onRequest: before the body is read or validated, so that a caller
    // without a valid admin token learns nothing from the schema's answers.
    onRequest: async (req, reply) => {
      // Set first, so that the 401 and 403 answers carry them too.
      reply.headers({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      admins.set(req, await authenticateAdmin(gk, req));
    },
    handler: async (req, reply) => {
      const admin = admins.get(req);
      // onRequest always ran first; this only keeps the type honest.
      if (admin === undefined) throw new TypeError('admin route without authentication');
      const ops = operationContext(gk, { name: actorOf(admin), address: req.ip });
      return handler({ req, reply, admin, now: ops.now, ops });
    },
  });
}
