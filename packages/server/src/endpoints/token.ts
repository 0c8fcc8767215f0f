import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateClient } from '../clients/authenticate-client.js';
import { OAuthError, UnauthorizedClientError, UnsupportedGrantTypeError } from '../errors.js';
import type { GrantLimits } from '../grants/grant.js';
import { createGrantLimits } from '../grants/grant-limits.js';
import { GRANTS } from '../grants/index.js';
import type { Gridkey } from '../gridkey.js';
import { FormParams } from '../http/form-params.js';
import { postRoute } from '../http/post-route.js';
import type { Profile } from '../profiles/profile.js';

/**
 * RFC 6749 §3.2 token endpoint. The handler is a list of named checks, so a
 * failure's stack reads like the checklist it failed.
 */
async function handleTokenRequest(
  gk: Gridkey,
  limits: GrantLimits,
  issuer: () => string,
  req: FastifyRequest,
  reply: FastifyReply,
  profile: Profile,
) {
  let grantLabel = 'unknown';
  let clientId: string | undefined;
  try {
    const params = FormParams.from(req.headers['content-type'], req.body);
    const grantType = params.require('grant_type');
    grantLabel = GRANTS.has(grantType) ? grantType : 'other';
    const client = await authenticateClient(gk, req.headers.authorization, params);
    clientId = client.clientId;
    const grant = GRANTS.get(grantType);
    if (grant === undefined) throw new UnsupportedGrantTypeError('grant_type is not supported');
    if (!client.grantTypes.includes(grantType)) {
      throw new UnauthorizedClientError('this client may not use this grant type');
    }
    const response = await grant.handle({
      gk,
      client,
      params,
      profile,
      issuer: issuer(),
      address: req.ip,
      limits,
    });
    // RFC 6749 §5.1: token responses must not be cached.
    return reply
      .headers({ 'cache-control': 'no-store', pragma: 'no-cache' })
      .send(profile.shapeTokenResponse?.(response) ?? response);
  } catch (err) {
    if (err instanceof OAuthError) {
      gk.events.emit('token.request_failed', {
        grantType: grantLabel,
        error: err.error,
        ...(clientId === undefined ? {} : { clientId }),
      });
    }
    throw err;
  }
}

export function registerTokenEndpoint(
  app: FastifyInstance,
  gk: Gridkey,
  issuer: () => string,
  routes: ReadonlyMap<string, Profile>,
) {
  const limits = createGrantLimits(gk);
  for (const [path, profile] of routes) {
    postRoute(app, path, { profile, tokenEndpoint: true }, (req, reply) =>
      handleTokenRequest(gk, limits, issuer, req, reply, profile),
    );
  }
}
