import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../clients/authenticate-client.js';
import type { Gridkey } from '../gridkey.js';
import { FormParams } from '../http/form-params.js';
import { postRoute } from '../http/post-route.js';
import { scopesOf, verifyAccessToken } from '../tokens/access-token.js';

/** RFC 7662 token introspection; the caller (a resource server) authenticates as a client. */
export function registerIntrospectionEndpoint(
  app: FastifyInstance,
  gk: Gridkey,
  issuer: () => string,
) {
  postRoute(app, '/oauth2/introspect', {}, async (req, reply) => {
    const params = FormParams.from(req.headers['content-type'], req.body);
    await authenticateClient(gk, req.headers.authorization, params);
    const token = params.require('token');
    reply.header('cache-control', 'no-store');
    const claims = await verifyAccessToken(gk, token, issuer());
    // RFC 7662 §2.2: an inactive token reveals nothing but `active: false`.
    if (claims === undefined || (await gk.store.revocations.isRevoked(claims.jti))) {
      return { active: false };
    }
    return {
      active: true,
      token_type: 'Bearer',
      scope: scopesOf(claims).join(' '),
      ...(claims.client_id === undefined ? {} : { client_id: claims.client_id }),
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      iat: claims.iat,
      exp: claims.exp,
      jti: claims.jti,
    };
  });
}
