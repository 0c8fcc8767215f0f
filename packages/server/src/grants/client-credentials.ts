import { InvalidTargetError } from '../errors.js';
import { issueAccessToken } from '../tokens/access-token.js';
import type { Grant, GrantContext } from './grant.js';
import { resolveScope } from './resolve-scope.js';

/** The audience asked for must be registered for the client; none: its first, else the issuer. */
function resolveAudience(ctx: GrantContext): string {
  const requested = ctx.params.get('audience');
  if (requested === undefined) return ctx.client.audiences[0] ?? ctx.issuer;
  if (!ctx.client.audiences.includes(requested)) {
    throw new InvalidTargetError('the requested audience is not registered for this client');
  }
  return requested;
}

/** RFC 6749 §4.4: a client acting on its own behalf. */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle(ctx) {
    const scopes = resolveScope(ctx.params.get('scope'), ctx.client.scopes);
    const audience = resolveAudience(ctx);
    // Capped at the maximum in force now: retired keys leave the JWKS after it.
    const ttlSeconds = Math.min(
      ctx.client.accessTokenTtlSeconds ??
        ctx.profile.accessTokenTtlSeconds ??
        ctx.gk.config.accessTokenTtlSeconds,
      ctx.gk.config.accessTokenMaxTtlSeconds,
    );
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
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: ttlSeconds,
      scope: scopes.join(' '),
    };
  },
};
