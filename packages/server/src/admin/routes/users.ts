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
import * as R from '../admin-response-schemas.js';
import { CreateUserBody, IdParams, SetUserPasswordBody } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** Users: parse, call the operation, answer (their kill switch is in kill-switch.ts). */
export function registerUserRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/users',
    { summary: 'List users', response: { 200: R.UserList } },
    ({ ops }) => listUsers(ops),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/users',
    { summary: 'Create a user', body: CreateUserBody, response: { 201: R.UserDescription } },
    async ({ req, reply, ops }) =>
      reply.code(201).send(await createUser(ops, req.body as Static<typeof CreateUserBody>)),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/users/:id/disable',
    {
      summary: 'Disable a user and revoke their refresh tokens',
      params: IdParams,
      response: { 200: R.DisabledUser },
    },
    ({ req, ops }) => disableUser(ops, (req.params as Id).id),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/users/:id/set-password',
    {
      summary: 'Set a user’s password (checked like a new one; never returned)',
      params: IdParams,
      body: SetUserPasswordBody,
      response: { 200: R.UserPasswordSet },
    },
    ({ req, ops }) =>
      setUserPassword(ops, (req.params as Id).id, req.body as Static<typeof SetUserPasswordBody>),
  );
  adminRoute(
    app,
    gk,
    'DELETE',
    '/admin/api/users/:id',
    {
      summary: 'Delete a user and revoke their refresh tokens',
      params: IdParams,
      response: { 200: R.UserDeleted },
    },
    ({ req, ops }) => deleteUser(ops, (req.params as Id).id),
  );
}
