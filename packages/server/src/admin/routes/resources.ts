import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseScopeList } from '../../clients/client-registry.js';
import { UnknownIdError } from '../../errors.js';
import type { Gridkey } from '../../gridkey.js';
import { rotateSigningKeys } from '../../keys/key-ring.js';
import { optionalExpiry } from '../../lib/iso-time.js';
import { describeApiKey } from '../../tokens/api-keys.js';
import { describeLoginToken } from '../../tokens/login-tokens.js';
import { describeUser } from '../../users/users.js';
import { adminRoute } from '../admin-context.js';
import {
  AuditQuery,
  CreateApiKeyBody,
  CreateLoginTokenBody,
  CreateUserBody,
  IdParams,
} from '../admin-schemas.js';
import { describeAuditEntry } from '../audit.js';

type Id = Static<typeof IdParams>;

/** Users, login tokens, API keys, signing keys and the audit log. */
export function registerResourceRoutes(app: FastifyInstance, gk: Gridkey): void {
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

  adminRoute(app, gk, 'GET', '/admin/api/keys', {}, async () =>
    (await gk.store.signingKeys.list()).map((k) => ({
      kid: k.kid,
      alg: k.alg,
      number: k.number,
      active_from: k.activeFrom,
      retired_at: k.retiredAt,
    })),
  );
  adminRoute(app, gk, 'POST', '/admin/api/keys/rotate', {}, async ({ now, audit }) => {
    const result = await rotateSigningKeys({
      store: gk.store,
      keyEncryptionKey: gk.secrets.keyEncryptionKey,
      now,
      activationDelaySeconds: gk.config.keyActivationDelaySeconds,
      maxTokenTtlSeconds: gk.config.accessTokenMaxTtlSeconds,
    });
    await gk.keys.refresh();
    await audit('keys.rotate', result.created.map((k) => k.kid).join(' '));
    return {
      created: result.created.map((k) => ({ kid: k.kid, alg: k.alg, active_from: k.activeFrom })),
      retired: result.retired,
    };
  });

  adminRoute(app, gk, 'GET', '/admin/api/audit', { querystring: AuditQuery }, async ({ req }) => {
    const q = req.query as Static<typeof AuditQuery>;
    const entries = await gk.audit.list({
      limit: q.limit ?? 100,
      ...(q.before === undefined ? {} : { before: q.before }),
    });
    return entries.map(describeAuditEntry);
  });
}
