import type { TokenClientEvent } from '../events.js';
import type { CommonSettings } from '../lib/options.js';
import { type ObtainToken, TokenEntry } from '../lib/token-entry.js';
import type { TokenTarget } from '../lib/token-request.js';

/** What `TokenClient` asks of a flow: a token for a call, and how to send it. */
export interface TokenSource {
  /** The cache entry for one call's (scope, audience). */
  entry(scope: unknown, audience: unknown): CachedSource;
  /** Whether a renewal can cure an API's 401 (not for an API key). */
  readonly renewable: boolean;
  /** The request header that carries `token`. */
  header(token: string): [name: string, value: string];
  /** Starts no request from now on; resolves once those in flight have settled. */
  close(): Promise<void>;
}

/** One cached token: `get` it, or forget it after an API refused it. */
export interface CachedSource {
  get(signal: AbortSignal | undefined): Promise<string>;
  invalidate(value: string): void;
}

export const bearer = (token: string): [string, string] => ['authorization', `Bearer ${token}`];

/**
 * A flow with a single cache entry: its scope and audience are fixed when the
 * client is made (a refresh-token family or a login token has one grant), so
 * a call asking for others is misuse.
 */
export function singleEntrySource(
  settings: CommonSettings,
  target: TokenTarget,
  obtain: ObtainToken,
  flow: string,
): TokenSource {
  const entry = new TokenEntry(settings, target, obtain);
  return {
    renewable: true,
    header: bearer,
    close: () => entry.close(),
    entry(scope, audience) {
      if (scope !== undefined || audience !== undefined) {
        throw new TypeError(`getToken scope and audience are fixed for the ${flow} flow`);
      }
      return entry;
    },
  };
}

export type Emit = (event: TokenClientEvent) => void;
