import { issueAccessToken } from '../tokens/access-token.js';
import type { Grant } from './grant.js';
import { resolveScope } from './resolve-scope.js';
import { accessTokenTtl, resolveAudience } from './token-settings.js';

/** RFC 6749 §4.4: a client acting on its own behalf. */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle(ctx) {
    const scopes = resolveScope(ctx.params.get('scope'), ctx.client.scopes);
    const ttlSeconds = accessTokenTtl(ctx);
    const issued = issueAccessToken(ctx.gk, {
      issuer: ctx.issuer,
      // RFC 9068 §2.2: with no resource owner, sub names the client.
      subject: ctx.client.clientId,
      clientId: ctx.client.clientId,
      audience: resolveAudience(ctx),
      scopes,
      ttlSeconds,
    });
    ctx.gk.events.emit('token.issued', {
      grantType: 'client_credentials',
      clientId: ctx.client.clientId,
      jti: issued.jti,
      kind: 'access_token',
    });
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: ttlSeconds,
      scope: scopes.join(' '),
    };
  },
};
