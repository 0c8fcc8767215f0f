import { checkObject } from '../lib/options.js';
import type { TokenSource } from './token-source.js';

// RFC 6750 §2.1 b64token, which a gridkey key (gk_…) is; other platforms' keys too.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * An API key: nothing to request or renew, so an API's 401 is final. It goes
 * in `Authorization: Bearer`, or in `X-API-Key` where the API wants that.
 */
export function apiKeySource(key: unknown, options: unknown): TokenSource {
  if (typeof key !== 'string' || !B64TOKEN.test(key)) {
    // The key itself stays out of the message.
    throw new TypeError('apiKey must be a non-empty string of token characters (RFC 6750 §2.1)');
  }
  const raw = checkObject(options ?? {}, 'TokenClient.apiKey');
  const header = raw.header ?? 'authorization';
  if (header !== 'authorization' && header !== 'x-api-key') {
    throw new TypeError("header must be 'authorization' or 'x-api-key'");
  }
  const cached = {
    get: (signal: AbortSignal | undefined) =>
      signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve(key),
    invalidate() {},
  };
  return {
    renewable: false,
    close: () => Promise.resolve(),
    header: (token) =>
      header === 'authorization' ? ['authorization', `Bearer ${token}`] : ['x-api-key', token],
    entry(scope, audience) {
      if (scope !== undefined || audience !== undefined) {
        throw new TypeError('an API key has no scope or audience to choose');
      }
      return cached;
    },
  };
}
