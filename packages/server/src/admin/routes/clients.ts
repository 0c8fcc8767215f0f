import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import {
  createClient,
  deleteClient,
  listClients,
  rotateClientSecret,
  showClient,
  updateClient,
} from '../../operations/clients.js';
import { adminRoute } from '../admin-context.js';
import { CreateClientBody, IdParams, UpdateClientBody } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** Clients: parse, call the operation, answer (the kill switch is in kill-switch.ts). */
export function registerClientRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(app, gk, 'GET', '/admin/api/clients', {}, ({ ops }) => listClients(ops));
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/clients',
    { body: CreateClientBody },
    async ({ req, reply, ops }) =>
      reply.code(201).send(await createClient(ops, req.body as Static<typeof CreateClientBody>)),
  );
  adminRoute(app, gk, 'GET', '/admin/api/clients/:id', { params: IdParams }, ({ req, ops }) =>
    showClient(ops, (req.params as Id).id),
  );
  adminRoute(
    app,
    gk,
    'PATCH',
    '/admin/api/clients/:id',
    { params: IdParams, body: UpdateClientBody },
    ({ req, ops }) =>
      updateClient(ops, (req.params as Id).id, req.body as Static<typeof UpdateClientBody>),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/clients/:id/rotate-secret',
    { params: IdParams },
    ({ req, ops }) => rotateClientSecret(ops, (req.params as Id).id),
  );
  adminRoute(app, gk, 'DELETE', '/admin/api/clients/:id', { params: IdParams }, ({ req, ops }) =>
    deleteClient(ops, (req.params as Id).id),
  );
}
