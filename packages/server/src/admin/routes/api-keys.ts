import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../../operations/api-keys.js';
import { adminRoute } from '../admin-context.js';
import * as R from '../admin-response-schemas.js';
import { CreateApiKeyBody, IdParams } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** API keys: parse, call the operation, answer. */
export function registerApiKeyRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/api-keys',
    { summary: 'List API keys (prefix and last four only)', response: { 200: R.ApiKeyList } },
    ({ ops }) => listApiKeys(ops),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/api-keys',
    {
      summary: 'Create an API key; it is in this response only',
      body: CreateApiKeyBody,
      response: { 201: R.CreatedApiKey },
    },
    async ({ req, reply, ops }) =>
      reply.code(201).send(await createApiKey(ops, req.body as Static<typeof CreateApiKeyBody>)),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/api-keys/:id/revoke',
    { summary: 'Revoke an API key', params: IdParams, response: { 200: R.ApiKeyRevoked } },
    ({ req, ops }) => revokeApiKey(ops, (req.params as Id).id),
  );
}
