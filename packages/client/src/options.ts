import type { TokenClientEvent } from './events.js';
import type { TokenStore } from './stores/token-store.js';

/**
 * What every flow of {@link TokenClient} accepts: when to renew, how to
 * retry, whom to tell.
 *
 * @example
 * ```ts
 * import type { CommonOptions } from '@gridkey/client';
 * const common: CommonOptions = { renewAt: 0.7, retry: { maxAttempts: 3 }, onEvent: console.info };
 * ```
 */
export interface CommonOptions {
  /** Renew when this share of the lifetime has gone, between 0 and 1; default 0.8, minus up to 0.05 of jitter. */
  renewAt?: number;
  /** One token request may take this long (ms) before it counts as a network failure; default 10 000. */
  timeoutMs?: number;
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
 * How a client authenticates at an RFC 6749 token endpoint.
 *
 * @example
 * ```ts
 * import type { ClientCredentials } from '@gridkey/client';
 * const credentials: ClientCredentials = { clientId: 'id', clientSecret: 'secret', auth: 'client_secret_post' };
 * ```
 */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** RFC 6749 §2.3.1: how the client authenticates; default `client_secret_basic`. */
  auth?: 'client_secret_basic' | 'client_secret_post';
}

/**
 * The options of `new TokenClient(...)`: the client_credentials grant.
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
export interface TokenClientOptions extends CommonOptions, ClientCredentials {
  /** The token endpoint, e.g. `https://auth.example.com/oauth2/token`. */
  tokenUrl: string | URL;
  /** The scopes to ask for; default: none, so the server grants the client's own. */
  scope?: string | readonly string[];
  /** The `audience` to ask for; default: none, so the server picks the client's first. */
  audience?: string;
}

/**
 * The options of {@link TokenClient.password}: the resource owner password
 * grant once (RFC 6749 §4.3), then refresh tokens only (§6).
 *
 * @example
 * ```ts
 * import type { PasswordOptions } from '@gridkey/client';
 * import { FileTokenStore } from '@gridkey/client/stores';
 *
 * const options: PasswordOptions = {
 *   tokenUrl: 'https://auth.example.com/v2/token',
 *   clientId, clientSecret, auth: 'client_secret_post',
 *   username: 'ada@example.com', password: promptedPassword,
 *   store: new FileTokenStore('/var/lib/my-app/tokens.json'),
 * };
 * ```
 */
export interface PasswordOptions extends CommonOptions, ClientCredentials {
  tokenUrl: string | URL;
  username: string;
  /**
   * Used for the first login only, then dropped; never stored. May be left
   * out when the store already holds a refresh token for this login.
   */
  password?: string;
  /** The scopes of the login; refreshes keep them. */
  scope?: string | readonly string[];
  /** Where the refresh token lives; default a `MemoryTokenStore`. Share a `FileTokenStore` between processes. */
  store?: TokenStore;
  /** The record name in the store; default a digest of the URL, client, username and scope. */
  storeKey?: string;
}

/**
 * The options of {@link TokenClient.loginToken}: the Enectiva seed's
 * exchange of a long-lived login token for 5-minute access tokens.
 *
 * @example
 * ```ts
 * import type { LoginTokenOptions } from '@gridkey/client';
 * const options: LoginTokenOptions = {
 *   url: 'https://api.enectiva.cz/access_tokens',
 *   customerUuid: '9796513c-e811-4b75-b2eb-b36b9f1a1b8c',
 *   loginToken: process.env.ENECTIVA_LOGIN_TOKEN!,
 * };
 * ```
 */
export interface LoginTokenOptions extends CommonOptions {
  /** The exchange endpoint, e.g. `https://api.enectiva.cz/access_tokens`. */
  url: string | URL;
  customerUuid: string;
  loginToken: string;
}

/**
 * The options of {@link TokenClient.apiKey}.
 *
 * @example
 * ```ts
 * import type { ApiKeyOptions } from '@gridkey/client';
 * const options: ApiKeyOptions = { header: 'x-api-key' };
 * ```
 */
export interface ApiKeyOptions {
  /** `authorization` (`Bearer <key>`, the default) or `x-api-key`. */
  header?: 'authorization' | 'x-api-key';
}
