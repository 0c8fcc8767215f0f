import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import {
  createLoginToken,
  listLoginTokens,
  revokeLoginToken,
} from '../../operations/login-tokens.js';
import { adminRoute } from '../admin-context.js';
import * as R from '../admin-response-schemas.js';
import { CreateLoginTokenBody, IdParams, LoginTokenListQuery } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/** Login tokens (the Enectiva exchange's long-lived credentials): parse, call the operation, answer. */
export function registerLoginTokenRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/login-tokens',
    {
      summary: 'List login tokens (never the tokens), or one customer’s',
      querystring: LoginTokenListQuery,
      response: { 200: R.LoginTokenList },
    },
    ({ req, ops }) => listLoginTokens(ops, req.query as Static<typeof LoginTokenListQuery>),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/login-tokens',
    {
      summary: 'Issue a login token; it is in this response only',
      body: CreateLoginTokenBody,
      response: { 201: R.CreatedLoginToken },
    },
    async ({ req, reply, ops }) =>
      reply
        .code(201)
        .send(await createLoginToken(ops, req.body as Static<typeof CreateLoginTokenBody>)),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/login-tokens/:id/revoke',
    {
      summary: 'Revoke a login token and its live access tokens',
      params: IdParams,
      response: { 200: R.LoginTokenRevoked },
    },
    ({ req, ops }) => revokeLoginToken(ops, (req.params as Id).id),
  );
}
