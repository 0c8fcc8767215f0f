import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../clients/authenticate-client.js';
import type { Gridkey } from '../gridkey.js';
import { FormParams } from '../http/form-params.js';
import { postRoute } from '../http/post-route.js';
import { nowSeconds } from '../lib/clock.js';
import type { UsageRecorder } from '../lib/usage-recorder.js';
import type { ClientAuthLimits } from '../limits/server-limits.js';
import type { ClientRecord } from '../store/types.js';
import { scopesOf, type VerifiedAccessToken, verifyAccessToken } from '../tokens/access-token.js';
import { API_KEY_PREFIX } from '../tokens/api-keys.js';
import { isPatShaped } from '../tokens/pats.js';
import { findRefreshToken, isLive } from '../tokens/refresh-tokens.js';

/**
 * RFC 7662 §4: a client may learn of the access tokens issued to it and of
 * those addressed to it (`aud`); only a resource server may learn of every
 * token, including another client's, a login token's and the admin PAT.
 */
function mayIntrospect(caller: ClientRecord, claims: VerifiedAccessToken): boolean {
  if (caller.resourceServer || claims.client_id === caller.clientId) return true;
  const aud = claims.aud;
  return aud === caller.clientId || (Array.isArray(aud) && aud.includes(caller.clientId));
}

/** RFC 7662 introspection of access tokens, refresh tokens, PATs and API keys; the caller authenticates as a client. */
export function registerIntrospectionEndpoint(
  app: FastifyInstance,
  gk: Gridkey,
  issuer: () => string,
  clientAuth: ClientAuthLimits,
  apiKeyUsage: UsageRecorder,
) {
  postRoute(app, '/oauth2/introspect', {}, async (req, reply) => {
    const params = FormParams.from(req.headers['content-type'], req.body);
    const caller = await authenticateClient(gk, req.headers.authorization, params, {
      limits: clientAuth,
      address: req.ip,
    });
    const token = params.require('token');
    reply.header('cache-control', 'no-store');
    if (token.startsWith(API_KEY_PREFIX)) {
      // API keys and PATs are issued to no client: for resource servers only.
      if (!caller.resourceServer) return { active: false };
      const key = await gk.apiKeys.authenticate(token);
      if (key === undefined) return { active: false };
      apiKeyUsage.record(key.id);
      return {
        active: true,
        token_type: 'api_key',
        scope: key.scopes.join(' '),
        name: key.name,
        sub: key.id,
        iat: key.createdAt,
        ...(key.expiresAt === null ? {} : { exp: key.expiresAt }),
      };
    }
    if (isPatShaped(token)) {
      if (!caller.resourceServer) return { active: false };
      // Resource servers are the JSON API side: a PAT is active for them only when authorised for it.
      const result = await gk.pats.authenticate(token, 'api');
      if ('refused' in result) return { active: false };
      const { pat } = result;
      return {
        active: true,
        token_type: 'pat',
        scope: pat.scopes.join(' '),
        sub: pat.id,
        name: pat.name,
        role: pat.role,
        jti: pat.jti,
        iat: pat.createdAt,
        exp: pat.authorisedUntil ?? pat.expiresAt,
      };
    }
    const refresh = await findRefreshToken(gk, token);
    if (refresh !== undefined) {
      const user = await gk.store.users.findById(refresh.userId);
      // A refresh token is for the authorization server and its own client only.
      if (
        refresh.clientId !== caller.clientId ||
        !isLive(refresh, nowSeconds(gk.clock)) ||
        user === undefined ||
        user.disabledAt !== null
      ) {
        return { active: false };
      }
      return {
        active: true,
        token_type: 'refresh_token',
        scope: refresh.scopes.join(' '),
        client_id: refresh.clientId,
        sub: refresh.userId,
        iat: refresh.createdAt,
        exp: refresh.expiresAt,
      };
    }
    const claims = await verifyAccessToken(gk, token, issuer());
    // RFC 7662 §2.2: an inactive token reveals nothing but `active: false`.
    if (
      claims === undefined ||
      !mayIntrospect(caller, claims) ||
      (await gk.store.revocations.isRevoked(claims.jti, {
        clientId: claims.client_id,
        iat: claims.iat,
      }))
    ) {
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
