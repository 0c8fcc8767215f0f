import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import { getUsage, topRequesters } from '../../operations/usage.js';
import { adminRoute } from '../admin-context.js';
import * as R from '../admin-response-schemas.js';
import { TopClientsQuery, UsageQuery } from '../admin-schemas.js';

/** Usage counts (docs/operations.md, "Usage"): parse, call the operation, answer. */
export function registerUsageRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/usage',
    {
      summary: 'Usage per client, API key and PAT, in minute, hour or day buckets',
      querystring: UsageQuery,
      response: { 200: R.Usage },
    },
    ({ req, ops }) => getUsage(ops, req.query as Static<typeof UsageQuery>),
  );
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/usage/top-clients',
    {
      summary:
        'The clients issued the most tokens, flagged past what their token lifetime justifies',
      querystring: TopClientsQuery,
      response: { 200: R.TopClients },
    },
    ({ req, ops }) => topRequesters(ops, req.query as Static<typeof TopClientsQuery>),
  );
}
