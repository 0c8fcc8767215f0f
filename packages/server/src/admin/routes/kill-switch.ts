import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import { revokeClientTokens } from '../../operations/clients.js';
import { revokeAccessToken, revokeUserTokens } from '../../operations/revocations.js';
import { adminRoute } from '../admin-context.js';
import * as R from '../admin-response-schemas.js';
import { IdParams, JtiParams } from '../admin-schemas.js';

type Id = Static<typeof IdParams>;

/**
 * The kill switch: every token of a client (after its secret leaked), every
 * token of a user, one token by jti. Each reaches the token-state feed, so
 * verifiers refuse the tokens within 2 s.
 */
export function registerKillSwitchRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/clients/:id/revoke-tokens',
    {
      summary: 'Kill switch: revoke every token issued to the client',
      params: IdParams,
      response: { 200: R.ClientTokensRevoked },
    },
    async ({ req, ops }) => revokeClientTokens(ops, (req.params as Id).id),
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/users/:id/revoke-tokens',
    {
      summary: 'Revoke every refresh token of the user and the access tokens they issued',
      params: IdParams,
      response: { 200: R.UserTokensRevoked },
    },
    async ({ req, ops }) => revokeUserTokens(ops, (req.params as Id).id),
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/tokens/:jti/revoke',
    {
      summary: 'Revoke one access token by its jti',
      params: JtiParams,
      response: { 200: R.AccessTokenRevoked },
    },
    async ({ req, ops }) => revokeAccessToken(ops, (req.params as Static<typeof JtiParams>).jti),
  );
}
