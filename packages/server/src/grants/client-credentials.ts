import { issueAccessToken } from '../tokens/access-token.js';
import type { Grant } from './grant.js';
import { resolveScope } from './resolve-scope.js';
import type { TokenResponse } from './token-response.js';
import { accessTokenTtl, resolveAudience } from './token-settings.js';

/** RFC 6749 §4.4: a client acting on its own behalf. */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle(ctx) {
    const scopes = resolveScope(ctx.params.get('scope'), ctx.client.scopes);
    const audience = resolveAudience(ctx);
    const scope = scopes.join(' ');
    if (ctx.client.reuseTokens) {
      const reused = await ctx.reuse.lookup(ctx.client.clientId, scope, audience, ctx.profile.name);
      if (reused !== undefined) return reused;
    }
    const ttlSeconds = accessTokenTtl(ctx);
    const issued = issueAccessToken(ctx.gk, {
      issuer: ctx.issuer,
      // RFC 9068 §2.2: with no resource owner, sub names the client.
      subject: ctx.client.clientId,
      clientId: ctx.client.clientId,
      audience,
      scopes,
      ttlSeconds,
    });
    ctx.gk.events.emit('token.issued', {
      grantType: 'client_credentials',
      clientId: ctx.client.clientId,
      jti: issued.jti,
      kind: 'access_token',
    });
    const response: TokenResponse = {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: ttlSeconds,
      scope,
    };
    if (ctx.client.reuseTokens) {
      ctx.reuse.remember(ctx.client.clientId, scope, audience, ctx.profile.name, {
        response,
        jti: issued.jti,
        exp: issued.exp,
        ttl: ttlSeconds,
      });
    }
    return response;
  },
};
