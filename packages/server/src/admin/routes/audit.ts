import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { describeAuditEntry } from '../../audit/audit-log.js';
import type { Gridkey } from '../../gridkey.js';
import { adminRoute } from '../admin-context.js';
import * as R from '../admin-response-schemas.js';
import { AuditQuery } from '../admin-schemas.js';

/** The audit log, newest first. */
export function registerAuditRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/audit',
    {
      summary: 'The audit log, newest first',
      querystring: AuditQuery,
      response: { 200: R.AuditList },
    },
    async ({ req }) => {
      const q = req.query as Static<typeof AuditQuery>;
      const entries = await gk.audit.list({
        limit: q.limit ?? 100,
        ...(q.before === undefined ? {} : { before: q.before }),
      });
      return entries.map(describeAuditEntry);
    },
  );
}
