import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import {
  authorisePat,
  createPat,
  listPats,
  patRoleNames,
  revokePat,
} from '../../operations/pats.js';
import { adminRoute } from '../admin-context.js';
import { AuthorisePatBody, CreatePatBody, IdParams } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** The session and PATs: parse, call the operation, answer. */
export function registerPatRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(app, gk, 'GET', '/admin/api/session', {}, async ({ admin, ops }) => ({
    pat: { id: admin.id, name: admin.name, role: admin.role },
    roles: patRoleNames(ops),
  }));

  adminRoute(app, gk, 'GET', '/admin/api/pats', {}, ({ ops }) => listPats(ops));

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/pats',
    { body: CreatePatBody },
    async ({ req, reply, ops }) =>
      reply.code(201).send(await createPat(ops, req.body as Static<typeof CreatePatBody>)),
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/pats/:id/authorise',
    { params: IdParams, body: AuthorisePatBody },
    ({ req, ops }) =>
      authorisePat(ops, (req.params as Id).id, req.body as Static<typeof AuthorisePatBody>),
  );

  adminRoute(app, gk, 'POST', '/admin/api/pats/:id/revoke', { params: IdParams }, ({ req, ops }) =>
    revokePat(ops, (req.params as Id).id),
  );
}
