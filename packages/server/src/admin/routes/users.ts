import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import {
  createUser,
  deleteUser,
  disableUser,
  listUsers,
  setUserPassword,
} from '../../operations/users.js';
import { adminRoute } from '../admin-context.js';
import { CreateUserBody, IdParams, SetUserPasswordBody } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** Users: parse, call the operation, answer (their kill switch is in kill-switch.ts). */
export function registerUserRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(app, gk, 'GET', '/admin/api/users', {}, ({ ops }) => listUsers(ops));
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/users',
    { body: CreateUserBody },
    async ({ req, reply, ops }) =>
      reply.code(201).send(await createUser(ops, req.body as Static<typeof CreateUserBody>)),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/users/:id/disable',
    { params: IdParams },
    ({ req, ops }) => disableUser(ops, (req.params as Id).id),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/users/:id/set-password',
    { params: IdParams, body: SetUserPasswordBody },
    ({ req, ops }) =>
      setUserPassword(ops, (req.params as Id).id, req.body as Static<typeof SetUserPasswordBody>),
  );
  adminRoute(app, gk, 'DELETE', '/admin/api/users/:id', { params: IdParams }, ({ req, ops }) =>
    deleteUser(ops, (req.params as Id).id),
  );
}
