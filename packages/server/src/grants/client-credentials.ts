import type { EventSink } from '../events.js';
import { type AccessTokenSigning, issueAccessToken } from '../tokens/access-token.js';
import type { Grant } from './grant.js';
import { resolveScope } from './resolve-scope.js';
import type { TokenResponse } from './token-response.js';
import type { TokenReuseCache } from './token-reuse.js';
import { type AccessTokenLifetimes, accessTokenTtl, resolveAudience } from './token-settings.js';

/** What the client_credentials grant uses. */
export interface ClientCredentialsDeps extends AccessTokenSigning {
  config: AccessTokenLifetimes;
  events: EventSink;
  /** For clients registered with `reuse_tokens`. */
  reuse: Pick<TokenReuseCache, 'lookup' | 'remember'>;
}

/** RFC 6749 §4.4: a client acting on its own behalf. */
export function clientCredentialsGrant(deps: ClientCredentialsDeps): Grant {
  return {
    grantType: 'client_credentials',
    async handle(request) {
      const { client, profile } = request;
      const scopes = resolveScope(request.params.get('scope'), client.scopes);
      const audience = resolveAudience(request);
      const scope = scopes.join(' ');
      if (client.reuseTokens) {
        const reused = await deps.reuse.lookup(client.clientId, scope, audience, profile.name);
        if (reused !== undefined) return reused;
      }
      const ttlSeconds = accessTokenTtl(deps.config, request);
      const issued = issueAccessToken(deps, {
        issuer: request.issuer,
        // RFC 9068 §2.2: with no resource owner, sub names the client.
        subject: client.clientId,
        clientId: client.clientId,
        audience,
        scopes,
        ttlSeconds,
      });
      deps.events.emit('token.issued', {
        grantType: 'client_credentials',
        clientId: client.clientId,
        jti: issued.jti,
        kind: 'access_token',
      });
      const response: TokenResponse = {
        access_token: issued.token,
        token_type: 'Bearer',
        expires_in: ttlSeconds,
        scope,
      };
      if (client.reuseTokens) {
        deps.reuse.remember(client.clientId, scope, audience, profile.name, {
          response,
          jti: issued.jti,
          exp: issued.exp,
          ttl: ttlSeconds,
        });
      }
      return response;
    },
  };
}
