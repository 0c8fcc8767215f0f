import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { describeAuditEntry } from '../../audit/audit-log.js';
import type { Gridkey } from '../../gridkey.js';
import { adminRoute } from '../admin-context.js';
import * as R from '../admin-response-schemas.js';
import { AuditQuery } from '../admin-schemas.js';

/** An ISO 8601 time (checked by the schema) as the store's unix seconds. */
const unixSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** The audit log, newest first, searched by actor, action, target, outcome and time range. */
export function registerAuditRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/audit',
    {
      summary: 'The audit log, newest first; search by actor, action, target and time range',
      querystring: AuditQuery,
      response: { 200: R.AuditList },
    },
    async ({ req }) => {
      const q = req.query as Static<typeof AuditQuery>;
      const entries = await gk.audit.list({
        limit: q.limit ?? 100,
        ...(q.before === undefined ? {} : { before: q.before }),
        ...(q.actor === undefined ? {} : { actor: q.actor }),
        ...(q.action === undefined ? {} : { action: q.action }),
        ...(q.target === undefined ? {} : { target: q.target }),
        ...(q.since === undefined ? {} : { since: unixSeconds(q.since) }),
        ...(q.until === undefined ? {} : { until: unixSeconds(q.until) }),
        ...(q.outcome === undefined ? {} : { outcome: q.outcome }),
      });
      return entries.map(describeAuditEntry);
    },
  );
}
