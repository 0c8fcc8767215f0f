import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import { describeUser } from '../../users/users.js';
import { adminRoute } from '../admin-context.js';
import { CreateUserBody, IdParams } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** Users (their kill switch is in kill-switch.ts). */
export function registerUserRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(app, gk, 'GET', '/admin/api/users', {}, async () =>
    (await gk.users.list()).map(describeUser),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/users',
    { body: CreateUserBody },
    async ({ req, reply, audit }) => {
      const body = req.body as Static<typeof CreateUserBody>;
      const user = await gk.users.create(body.email, body.password);
      await audit('user.create', user.id, { email: user.email });
      return reply.code(201).send(describeUser(user));
    },
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/users/:id/disable',
    { params: IdParams },
    async ({ req, audit }) => {
      const user = await gk.users.disable((req.params as Id).id);
      await audit('user.disable', user.id, { email: user.email });
      return describeUser(await gk.users.find(user.id));
    },
  );
}
