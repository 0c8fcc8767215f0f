import { apiKeySource } from './flows/api-key.js';
import { clientCredentialsSource } from './flows/client-credentials.js';
import { loginTokenSource } from './flows/login-token.js';
import { passwordSource } from './flows/password.js';
import type { TokenSource } from './flows/token-source.js';
import { isReplayable } from './lib/replayable.js';
import { fetchWithinOrigin } from './lib/same-origin-redirects.js';
import type {
  ApiKeyOptions,
  LoginTokenOptions,
  PasswordOptions,
  TokenClientOptions,
} from './options.js';
import { type ProfileName, type ProfileOptions, profileSource } from './profiles.js';

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
  /** Another scope than the client's; it has a cache entry of its own (client_credentials only). */
  scope?: string | readonly string[];
  /** Another audience than the client's; it has a cache entry of its own (client_credentials only). */
  audience?: string;
  /** Stops this caller waiting; the request stops when no caller waits for it any more. */
  signal?: AbortSignal;
}

/** Set by a factory just before `new`, so that the public constructor stays one signature. */
let pendingSource: TokenSource | undefined;

function construct(source: TokenSource): TokenClient {
  pendingSource = source;
  try {
    return new TokenClient(undefined as unknown as TokenClientOptions);
  } finally {
    pendingSource = undefined;
  }
}

/**
 * Gets access tokens, caches them and renews them in the background before
 * they expire; concurrent callers share a single request. `new TokenClient`
 * uses the client_credentials grant (RFC 6749 §4.4); the static factories
 * make clients for the other flows and for each platform's preset.
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
  readonly #source: TokenSource;

  constructor(options: TokenClientOptions) {
    this.#source = pendingSource ?? clientCredentialsSource(options);
  }

  /**
   * A client for a user: logs in once with the password grant (RFC 6749
   * §4.3), drops the password as soon as the first token arrives, and from
   * then on renews with the refresh token (§6), which it keeps in `store`.
   * Processes sharing a `FileTokenStore` renew once between them, so that
   * refresh-token rotation never looks like reuse.
   *
   * @example
   * ```ts
   * import { TokenClient } from '@gridkey/client';
   * import { FileTokenStore } from '@gridkey/client/stores';
   *
   * const client = TokenClient.password({
   *   tokenUrl: 'https://auth.example.com/v2/token',
   *   clientId, clientSecret,
   *   username: 'ada@example.com',
   *   password: await askOnce(),
   *   store: new FileTokenStore('/var/lib/my-app/tokens.json'),
   * });
   * const meters = await client.fetch('https://api.example.com/meters');
   * ```
   */
  static password(options: PasswordOptions): TokenClient {
    return construct(passwordSource(options));
  }

  /**
   * A client for the login-token exchange (the Enectiva seed): a long-lived
   * login token buys 5-minute access tokens at `url`, in JSON:API; their
   * lifetime is read from the JWT's `exp`.
   *
   * @example
   * ```ts
   * import { TokenClient } from '@gridkey/client';
   *
   * const client = TokenClient.loginToken({
   *   url: 'https://api.enectiva.cz/access_tokens',
   *   customerUuid: '9796513c-e811-4b75-b2eb-b36b9f1a1b8c',
   *   loginToken: process.env.ENECTIVA_LOGIN_TOKEN!,
   * });
   * const token = await client.getToken();
   * ```
   */
  static loginToken(options: LoginTokenOptions): TokenClient {
    return construct(loginTokenSource(options));
  }

  /**
   * A client that sends an API key: `getToken()` is the key and `fetch()`
   * sends it as `Bearer` (or `X-API-Key`). There is nothing to renew, so a
   * 401 is returned as it came.
   *
   * @example
   * ```ts
   * import { TokenClient } from '@gridkey/client';
   *
   * const client = TokenClient.apiKey(process.env.GRIDKEY_API_KEY!);
   * const res = await client.fetch('https://api.example.com/meters');
   * ```
   */
  static apiKey(key: string, options?: ApiKeyOptions): TokenClient {
    return construct(apiKeySource(key, options));
  }

  /**
   * A client preset for one platform's token endpoint, as its published
   * documentation shows it: the same code talks to gridkey serving that
   * profile or to the platform itself.
   *
   * - `edrv`: `POST /oauth/token`, client_credentials, id and secret in the
   *   form, `audience` `https://api.edrv.io` unless given.
   * - `depotfinity`: `POST /oauth2/token`, client_credentials, Basic.
   * - `net2grid`: `POST /v2/token`, password once then refresh tokens, id
   *   and secret in the form.
   * - `enectiva`: `POST /access_tokens`, the JSON:API login-token exchange.
   *
   * @example
   * ```ts
   * import { TokenClient } from '@gridkey/client';
   *
   * const edrv = TokenClient.forProfile('edrv', {
   *   baseUrl: 'https://auth.edrv.io',
   *   clientId: process.env.EDRV_CLIENT_ID!,
   *   clientSecret: process.env.EDRV_CLIENT_SECRET!,
   * });
   * const res = await edrv.fetch('https://api.edrv.io/v1.1/chargestations');
   * ```
   */
  static forProfile<P extends ProfileName>(name: P, options: ProfileOptions[P]): TokenClient {
    return construct(profileSource(name, options));
  }

  /**
   * A valid access token (or the API key). Served from the cache while it is
   * valid; once `renewAt` of its lifetime has gone, a renewal starts in the
   * background and this call still answers at once. Rejects with a
   * `TokenRequestError`, or with the signal's reason when aborted.
   *
   * @example
   * ```ts
   * const token = await client.getToken();
   * const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
   * ```
   */
  async getToken(options: GetTokenOptions = {}): Promise<string> {
    return this.#source.entry(options.scope, options.audience).get(options.signal);
  }

  /**
   * Stops renewing and waits for the requests in flight (a background
   * renewal, a refresh) to settle. Call it before the process exits: a
   * process that ends during a refresh loses the refresh token the server
   * has just rotated to. Afterwards a still-valid cached token is served;
   * anything else is refused.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', async () => {
   *   await server.close();
   *   await client.close();
   *   process.exit(0);
   * });
   * ```
   */
  close(): Promise<void> {
    return this.#source.close();
  }

  /**
   * `fetch` with the token set (`Authorization: Bearer`, or `X-API-Key`). On
   * a 401 the token is renewed once and the request sent once more, if it
   * can be replayed: no body, or a string, `Uint8Array` or `URLSearchParams`
   * body. Otherwise (and for an API key) the 401 is returned as it came.
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
    const entry = this.#source.entry(undefined, undefined);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const send = (token: string) => {
      const headers = new Headers(
        init?.headers ?? (input instanceof Request ? input.headers : undefined),
      );
      const [name, value] = this.#source.header(token);
      headers.set(name, value);
      // Fetch itself keeps Authorization from leaving the origin on a redirect.
      return name === 'authorization'
        ? fetch(input, { ...init, headers })
        : fetchWithinOrigin(input, { ...init, headers });
    };
    const token = await entry.get(signal ?? undefined);
    const res = await send(token);
    if (res.status !== 401 || !this.#source.renewable || !isReplayable(input, init)) return res;
    await res.body?.cancel();
    entry.invalidate(token);
    return send(await entry.get(signal ?? undefined));
  }
}
