import type { TokenClientEvent } from './events.js';
import { type ClientSettings, checkAudience, checkOptions, normaliseScope } from './lib/options.js';
import { isReplayable } from './lib/replayable.js';
import { TokenEntry } from './lib/token-entry.js';

/**
 * The options of {@link TokenClient}.
 *
 * @example
 * ```ts
 * import type { TokenClientOptions } from '@gridkey/client';
 *
 * const options: TokenClientOptions = {
 *   tokenUrl: 'https://auth.example.com/oauth2/token',
 *   clientId: process.env.GRIDKEY_CLIENT_ID!,
 *   clientSecret: process.env.GRIDKEY_CLIENT_SECRET!,
 *   scope: ['meters:read'],
 *   audience: 'https://api.example.com',
 * };
 * ```
 */
export interface TokenClientOptions {
  /** The token endpoint, e.g. `https://auth.example.com/oauth2/token`. */
  tokenUrl: string | URL;
  clientId: string;
  clientSecret: string;
  /** RFC 6749 §2.3.1: how the client authenticates; default `client_secret_basic`. */
  auth?: 'client_secret_basic' | 'client_secret_post';
  /** The scopes to ask for; default: none, so the server grants the client's own. */
  scope?: string | readonly string[];
  /** The `audience` to ask for; default: none, so the server picks the client's first. */
  audience?: string;
  /** Renew when this share of the lifetime has gone, between 0 and 1; default 0.8, minus up to 0.05 of jitter. */
  renewAt?: number;
  /** Bounds on retrying 429, 5xx and network failures. */
  retry?: {
    /** Requests in all, the first one included; default 5. */
    maxAttempts?: number;
    /** No retry is scheduled to start later than this after the first request; default 30 000. */
    maxElapsedMs?: number;
    /** The backoff ceiling of the first retry, doubling after; default 200. */
    baseDelayMs?: number;
    /** The backoff ceiling never grows past this; default 5 000. */
    maxDelayMs?: number;
  };
  /** Receives renewals, scheduled retries and failures; never a secret or a token. */
  onEvent?: (event: TokenClientEvent) => void;
  /** A monotonic clock in ms, for tests; default `performance.now`. */
  now?: () => number;
}

/**
 * Options of one {@link TokenClient.getToken} call.
 *
 * @example
 * ```ts
 * import type { GetTokenOptions } from '@gridkey/client';
 * const options: GetTokenOptions = { scope: 'readings:read', signal: AbortSignal.timeout(5_000) };
 * ```
 */
export interface GetTokenOptions {
  /** Another scope than the client's; it has a cache entry of its own. */
  scope?: string | readonly string[];
  /** Another audience than the client's; it has a cache entry of its own. */
  audience?: string;
  /** Stops this caller waiting; the request stops when no caller waits for it any more. */
  signal?: AbortSignal;
}

/**
 * Gets access tokens with the client_credentials grant (RFC 6749 §4.4),
 * caches one per (scope, audience) and renews it in the background before it
 * expires; concurrent callers share a single request.
 *
 * @example
 * ```ts
 * import { TokenClient } from '@gridkey/client';
 *
 * const client = new TokenClient({
 *   tokenUrl: 'https://auth.example.com/oauth2/token',
 *   clientId: process.env.GRIDKEY_CLIENT_ID!,
 *   clientSecret: process.env.GRIDKEY_CLIENT_SECRET!,
 *   scope: 'meters:read',
 * });
 * const res = await client.fetch('https://api.example.com/meters');
 * ```
 */
export class TokenClient {
  readonly #settings: ClientSettings;
  readonly #entries = new Map<string, TokenEntry>();

  constructor(options: TokenClientOptions) {
    this.#settings = checkOptions(options as unknown as Record<string, unknown>);
  }

  /**
   * A valid access token. Served from the cache while it is valid; once
   * `renewAt` of its lifetime has gone, a renewal starts in the background and
   * this call still answers at once. Rejects with a `TokenRequestError`, or
   * with the signal's reason when aborted.
   *
   * @example
   * ```ts
   * const token = await client.getToken();
   * const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
   * ```
   */
  async getToken(options: GetTokenOptions = {}): Promise<string> {
    return this.#entry(options).get(options.signal);
  }

  /**
   * `fetch` with `Authorization: Bearer` set. On a 401 the token is renewed
   * once and the request sent once more, if it can be replayed: no body, or a
   * string, `Uint8Array` or `URLSearchParams` body. Otherwise the 401 is
   * returned as it came.
   *
   * @example
   * ```ts
   * const res = await client.fetch('https://api.example.com/readings', {
   *   method: 'POST',
   *   headers: { 'content-type': 'application/json' },
   *   body: JSON.stringify({ meter: 'm-1', kwh: 12.5 }),
   * });
   * ```
   */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const entry = this.#entry({});
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const send = (token: string) => {
      const headers = new Headers(
        init?.headers ?? (input instanceof Request ? input.headers : undefined),
      );
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    const token = await entry.get(signal ?? undefined);
    const res = await send(token);
    if (res.status !== 401 || !isReplayable(input, init)) return res;
    await res.body?.cancel();
    entry.invalidate(token);
    return send(await entry.get(signal ?? undefined));
  }

  #entry(options: GetTokenOptions): TokenEntry {
    const scope =
      options.scope === undefined
        ? this.#settings.scope
        : normaliseScope(options.scope, 'getToken scope');
    const audience =
      options.audience === undefined
        ? this.#settings.audience
        : checkAudience(options.audience, 'getToken audience');
    const key = JSON.stringify([scope ?? null, audience ?? null]);
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = new TokenEntry(this.#settings, { scope, audience });
      this.#entries.set(key, entry);
    }
    return entry;
  }
}
