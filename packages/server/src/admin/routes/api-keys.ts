import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseScopeList } from '../../clients/client-registry.js';
import type { Gridkey } from '../../gridkey.js';
import { optionalExpiry } from '../../lib/iso-time.js';
import { describeApiKey } from '../../tokens/api-keys.js';
import { adminRoute } from '../admin-context.js';
import { CreateApiKeyBody, IdParams } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** API keys. */
export function registerApiKeyRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(app, gk, 'GET', '/admin/api/api-keys', {}, async ({ now }) =>
    (await gk.apiKeys.list()).map((k) => describeApiKey(k, now)),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/api-keys',
    { body: CreateApiKeyBody },
    async ({ req, reply, now, audit }) => {
      const body = req.body as Static<typeof CreateApiKeyBody>;
      const { record, key } = await gk.apiKeys.create({
        name: body.name,
        scopes: parseScopeList(body.scope),
        ...optionalExpiry(body.expires, 'expires', now),
      });
      await audit('api_key.create', record.id, { name: record.name });
      const { id, ...rest } = describeApiKey(record, now);
      return reply.code(201).send({ id, key, ...rest });
    },
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/api-keys/:id/revoke',
    { params: IdParams },
    async ({ req, audit }) => {
      const { id } = req.params as Id;
      const result = await gk.apiKeys.revoke(id);
      await audit('api_key.revoke', id);
      return {
        id,
        revoked: true,
        ...(result === 'already_revoked' ? { already_revoked: true } : {}),
      };
    },
  );
}
