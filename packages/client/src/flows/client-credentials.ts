import { oauthDialect, oauthFormRequest } from '../lib/oauth-form.js';
import {
  type ClientSettings,
  checkAudience,
  checkOptions,
  normaliseScope,
} from '../lib/options.js';
import { TokenEntry } from '../lib/token-entry.js';
import { postTokenRequest, type TokenTarget } from '../lib/token-request.js';
import { bearer, type TokenSource } from './token-source.js';

/** RFC 6749 §4.4: one cache entry per (scope, audience), each renewed on its own. */
export function clientCredentialsSource(options: unknown): TokenSource {
  const settings: ClientSettings = checkOptions(options);
  const entries = new Map<string, TokenEntry>();
  const entryFor = (target: TokenTarget) => {
    const key = JSON.stringify([target.scope ?? null, target.audience ?? null]);
    let entry = entries.get(key);
    if (entry === undefined) {
      const request = oauthFormRequest(settings.tokenUrl, settings, {
        grant_type: 'client_credentials',
        scope: target.scope,
        audience: target.audience,
      });
      entry = new TokenEntry(settings, target, (signal, emit) =>
        postTokenRequest(request, oauthDialect, settings, target, signal, emit),
      );
      entries.set(key, entry);
    }
    return entry;
  };
  return {
    renewable: true,
    header: bearer,
    async close() {
      await Promise.all([...entries.values()].map((entry) => entry.close()));
    },
    entry(scope, audience) {
      return entryFor({
        scope: scope === undefined ? settings.scope : normaliseScope(scope, 'getToken scope'),
        audience:
          audience === undefined ? settings.audience : checkAudience(audience, 'getToken audience'),
      });
    },
  };
}
