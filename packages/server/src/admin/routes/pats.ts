import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseScopeList } from '../../clients/client-registry.js';
import type { Gridkey } from '../../gridkey.js';
import { optionalExpiry, parseFutureIsoTime } from '../../lib/iso-time.js';
import { describePat } from '../../tokens/pats.js';
import { BUILT_IN_ROLES } from '../../tokens/roles.js';
import { adminRoute } from '../admin-context.js';
import { AuthorisePatBody, CreatePatBody, IdParams } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

export function registerPatRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(app, gk, 'GET', '/admin/api/session', {}, async ({ admin }) => ({
    pat: { id: admin.id, name: admin.name, role: admin.role },
    roles: Object.keys({ ...BUILT_IN_ROLES, ...gk.config.roles }),
  }));

  adminRoute(app, gk, 'GET', '/admin/api/pats', {}, async ({ now }) =>
    (await gk.pats.list()).map((p) => describePat(p, now)),
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/pats',
    { body: CreatePatBody },
    async ({ req, reply, now, audit }) => {
      const body = req.body as Static<typeof CreatePatBody>;
      const { record, token } = await gk.pats.create({
        name: body.name,
        role: body.role,
        scopes: parseScopeList(body.scope),
        ...optionalExpiry(body.expires, 'expires', now),
      });
      await audit('pat.create', record.id, {
        name: record.name,
        role: record.role,
        scope: record.scopes.join(' '),
      });
      const { id, ...rest } = describePat(record, now);
      return reply.code(201).send({ id, token, ...rest });
    },
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/pats/:id/authorise',
    { params: IdParams, body: AuthorisePatBody },
    async ({ req, now, audit }) => {
      const { id } = req.params as Id;
      const body = req.body as Static<typeof AuthorisePatBody>;
      const pat = await gk.pats.authorise(id, {
        api: body.api,
        web: body.web,
        ...(body.expires === undefined
          ? {}
          : { until: parseFutureIsoTime(body.expires, 'expires', now) }),
      });
      await audit('pat.authorise', id, {
        api: body.api,
        web: body.web,
        ...(body.expires ? { expires: body.expires } : {}),
      });
      return describePat(pat, now);
    },
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/pats/:id/revoke',
    { params: IdParams },
    async ({ req, now, audit }) => {
      const { id } = req.params as Id;
      const pat = await gk.pats.revoke(id);
      await audit('pat.revoke', id, { name: pat.name });
      return describePat(pat, now);
    },
  );
}
