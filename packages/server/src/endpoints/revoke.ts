import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../clients/authenticate-client.js';
import { UnauthorizedClientError, UnsupportedTokenTypeError } from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import { FormParams } from '../http/form-params.js';
import { postRoute } from '../http/post-route.js';
import { nowSeconds } from '../lib/clock.js';
import type { ClientAuthLimits } from '../limits/server-limits.js';
import { verifyAccessToken } from '../tokens/access-token.js';
import { isWellFormedApiKey } from '../tokens/api-keys.js';
import { isPatShaped } from '../tokens/pats.js';
import { findRefreshToken } from '../tokens/refresh-tokens.js';

/**
 * RFC 7009 §2.2.1: PATs and API keys are revoked by an operator, not by the
 * client presenting them; saying so beats a 200 that changed nothing.
 */
async function refuseUnrevokableKinds(gk: Gridkey, token: string): Promise<void> {
  if (isWellFormedApiKey(token)) {
    throw new UnsupportedTokenTypeError(
      'API keys are not revoked here: use `gridkey apikey revoke ID` or the admin API',
    );
  }
  if (isPatShaped(token) && (await gk.pats.find(token)) !== undefined) {
    throw new UnsupportedTokenTypeError(
      'personal access tokens are not revoked here: use `gridkey pat revoke ID` or the admin API',
    );
  }
}

/** RFC 7009 token revocation; a revoked jti is kept until the token's own `exp`. */
export function registerRevocationEndpoint(
  app: FastifyInstance,
  gk: Gridkey,
  issuer: () => string,
  clientAuth: ClientAuthLimits,
) {
  postRoute(app, '/oauth2/revoke', {}, async (req, reply) => {
    const params = FormParams.from(req.headers['content-type'], req.body);
    const client = await authenticateClient(gk, req.headers.authorization, params, {
      limits: clientAuth,
      address: req.ip,
    });
    const token = params.require('token');
    reply.header('cache-control', 'no-store');
    await refuseUnrevokableKinds(gk, token);
    const now = nowSeconds(gk.clock);
    // RFC 7009 §2.1: a refresh token's revocation takes its whole family with it.
    const refresh = await findRefreshToken(gk, token);
    if (refresh !== undefined) {
      if (refresh.clientId !== client.clientId) {
        throw new UnauthorizedClientError('the token was not issued to this client');
      }
      await gk.store.refreshTokens.revokeFamily(refresh.familyId, now);
      gk.events.emit('token.revoked', {
        jti: `family:${refresh.familyId}`,
        clientId: client.clientId,
      });
      return reply.code(200).send();
    }
    const claims = await verifyAccessToken(gk, token, issuer());
    // RFC 7009 §2.2: an invalid, unknown or expired token is answered 200 all the same.
    if (claims === undefined) return reply.code(200).send();
    // RFC 7009 §2.1: a client may revoke only tokens issued to it.
    if (claims.client_id !== client.clientId) {
      throw new UnauthorizedClientError('the token was not issued to this client');
    }
    await gk.store.revocations.revoke({
      jti: claims.jti,
      exp: claims.exp,
      revokedAt: now,
    });
    gk.events.emit('token.revoked', { jti: claims.jti, clientId: client.clientId });
    return reply.code(200).send();
  });
}
