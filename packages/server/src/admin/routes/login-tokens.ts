import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseScopeList } from '../../clients/client-registry.js';
import { UnknownIdError } from '../../errors.js';
import type { Gridkey } from '../../gridkey.js';
import { optionalExpiry } from '../../lib/iso-time.js';
import { describeLoginToken } from '../../tokens/login-tokens.js';
import { adminRoute } from '../admin-context.js';
import { CreateLoginTokenBody, IdParams } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** Login tokens (the Enectiva exchange's long-lived credentials). */
export function registerLoginTokenRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(app, gk, 'GET', '/admin/api/login-tokens', {}, async ({ now }) =>
    (await gk.loginTokens.list()).map((t) => describeLoginToken(t, now)),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/login-tokens',
    { body: CreateLoginTokenBody },
    async ({ req, reply, now, audit }) => {
      const body = req.body as Static<typeof CreateLoginTokenBody>;
      const { record, token } = await gk.loginTokens.create({
        customerUuid: body.customer_uuid,
        scopes: parseScopeList(body.scope),
        ...(body.subject_uuid === undefined ? {} : { subjectUuid: body.subject_uuid }),
        ...optionalExpiry(body.expires, 'expires', now),
      });
      await audit('login_token.create', String(record.id), { customer_uuid: record.customerUuid });
      const { id, customer_uuid, ...rest } = describeLoginToken(record, now);
      return reply.code(201).send({ id, customer_uuid, login_token: token, ...rest });
    },
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/login-tokens/:id/revoke',
    { params: IdParams },
    async ({ req, audit }) => {
      const text = (req.params as Id).id;
      if (!/^[1-9][0-9]{0,14}$/.test(text))
        throw new UnknownIdError(`no login token with id ${text}`, 'no login token with that id');
      const id = Number(text);
      const result = await gk.loginTokens.revoke(id);
      await audit('login_token.revoke', String(id));
      return {
        id,
        revoked: true,
        ...(result === 'already_revoked' ? { already_revoked: true } : {}),
      };
    },
  );
}
