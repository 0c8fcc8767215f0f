import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { Gridkey } from '../gridkey.js';
import { type OperationContext, operationContext } from '../operations/context.js';
import type { PatRecord } from '../store/types.js';
import { actorOf, authenticateAdmin } from './admin-auth.js';
import type { AuditEvent } from './audit.js';

export interface AdminRequest {
  req: FastifyRequest;
  reply: FastifyReply;
  admin: PatRecord;
  now: number;
  /** Records an audit entry for this admin, from this address. */
  audit(action: string, target: string, detail?: Record<string, unknown>): Promise<void>;
  /** The operations layer's context: this admin, from this address, now. */
  ops: OperationContext;
}

type Handler = (ctx: AdminRequest) => Promise<unknown>;

/** The admin each request authenticated as, set by the route's onRequest hook. */
const admins = new WeakMap<FastifyRequest, PatRecord>();

/** Registers one admin route: bearer-authenticated, audited through `ctx.audit`, never cached. */
export function adminRoute(
  app: FastifyInstance,
  gk: Gridkey,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  schema: FastifySchema,
  handler: Handler,
): void {
  app.route({
    method,
    url,
    schema,
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
      const audit = (action: string, target: string, detail: Record<string, unknown> = {}) => {
        const event: AuditEvent = {
          actor: actorOf(admin),
          action,
          target,
          address: req.ip,
          detail,
        };
        return gk.audit.record(event);
      };
      const ops = operationContext(gk, { name: actorOf(admin), address: req.ip });
      return handler({ req, reply, admin, now: ops.now, audit, ops });
    },
  });
}
