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
import * as R from '../admin-response-schemas.js';
import { CreateClientBody, IdParams, UpdateClientBody } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** Clients: parse, call the operation, answer (the kill switch is in kill-switch.ts). */
export function registerClientRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/clients',
    { summary: 'List OAuth clients', response: { 200: R.ClientList } },
    ({ ops }) => listClients(ops),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/clients',
    {
      summary: 'Register a client; the secret is in this response only',
      body: CreateClientBody,
      response: { 201: R.CreatedClient },
    },
    async ({ req, reply, ops }) =>
      reply.code(201).send(await createClient(ops, req.body as Static<typeof CreateClientBody>)),
  );
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/clients/:id',
    { summary: 'One client', params: IdParams, response: { 200: R.ClientDescription } },
    ({ req, ops }) => showClient(ops, (req.params as Id).id),
  );
  adminRoute(
    app,
    gk,
    'PATCH',
    '/admin/api/clients/:id',
    {
      summary: 'Change the token budget, token reuse or deprecation (and sunset)',
      params: IdParams,
      body: UpdateClientBody,
      response: { 200: R.ClientDescription },
    },
    ({ req, ops }) =>
      updateClient(ops, (req.params as Id).id, req.body as Static<typeof UpdateClientBody>),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/clients/:id/rotate-secret',
    { summary: 'Replace the client secret', params: IdParams, response: { 200: R.ClientSecret } },
    ({ req, ops }) => rotateClientSecret(ops, (req.params as Id).id),
  );
  adminRoute(
    app,
    gk,
    'DELETE',
    '/admin/api/clients/:id',
    {
      summary: 'Delete a client and revoke its tokens',
      params: IdParams,
      response: { 200: R.ClientDeleted },
    },
    ({ req, ops }) => deleteClient(ops, (req.params as Id).id),
  );
}
