import { type Clock, nowSeconds } from '../lib/clock.js';
import type { RevocationStore } from '../store/types.js';
import type { TokenResponse } from './token-response.js';

interface Cached {
  response: TokenResponse;
  jti: string;
  exp: number;
  ttl: number;
}

/**
 * For clients registered with `reuse_tokens`: a repeated client_credentials
 * request with the same scope and audience gets the still-valid token back,
 * with the remaining `expires_in`, instead of a new one. Kept per node; a
 * token revoked since, or with less than a tenth of its life left, is not
 * handed out again.
 */
export interface TokenReuseDeps {
  clock: Clock;
  store: { revocations: Pick<RevocationStore, 'isRevoked'> };
  /** Past it, the cache starts over. */
  maxEntries: number;
}

export class TokenReuseCache {
  private readonly entries = new Map<string, Cached>();

  constructor(private readonly deps: TokenReuseDeps) {}

  private static key(clientId: string, scope: string, audience: string, profile: string) {
    return `${clientId}\n${scope}\n${audience}\n${profile}`;
  }

  async lookup(
    clientId: string,
    scope: string,
    audience: string,
    profile: string,
  ): Promise<TokenResponse | undefined> {
    const key = TokenReuseCache.key(clientId, scope, audience, profile);
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    const left = hit.exp - nowSeconds(this.deps.clock);
    if (
      left <= Math.max(1, hit.ttl / 10) ||
      (await this.deps.store.revocations.isRevoked(hit.jti, { clientId, iat: hit.exp - hit.ttl }))
    ) {
      this.entries.delete(key);
      return undefined;
    }
    return { ...hit.response, expires_in: left };
  }

  remember(
    clientId: string,
    scope: string,
    audience: string,
    profile: string,
    entry: Cached,
  ): void {
    if (this.entries.size > this.deps.maxEntries) this.entries.clear();
    this.entries.set(TokenReuseCache.key(clientId, scope, audience, profile), entry);
  }
}
