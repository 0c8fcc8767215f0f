import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import { revokeClientTokens } from '../../operations/clients.js';
import { revokeAccessTokenById } from '../../tokens/access-token.js';
import { adminRoute } from '../admin-context.js';
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
    { params: IdParams },
    async ({ req, ops }) => revokeClientTokens(ops, (req.params as Id).id),
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/users/:id/revoke-tokens',
    { params: IdParams },
    async ({ req, audit }) => {
      const { id } = req.params as Id;
      const user = await gk.users.revokeTokens(id);
      await audit('user.revoke-tokens', user.id);
      return { id: user.id, email: user.email, tokens_revoked: true };
    },
  );

  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/tokens/:jti/revoke',
    { params: JtiParams },
    async ({ req, audit }) => {
      const { jti } = req.params as Static<typeof JtiParams>;
      await revokeAccessTokenById(gk, jti);
      await audit('token.revoke', jti);
      return { jti, revoked: true };
    },
  );
}
