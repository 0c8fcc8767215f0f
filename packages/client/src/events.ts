/**
 * What a {@link TokenClient} reports to `onEvent`. Events name the cache
 * entry by scope and audience; they never carry a secret or a token.
 *
 * - `renewed`: a token was obtained (`background` when a valid one was being
 *   served meanwhile); `expiresInMs` is its lifetime from the request;
 *   `source` is `store` when another process had renewed it already (a
 *   shared token store) and `endpoint` otherwise.
 * - `retry_scheduled`: attempt `attempt` failed with `status` (or a network
 *   error, `status` undefined); the next one follows in `delayMs`.
 * - `failed`: a token request gave up; `code`, `status` and `error` as in
 *   `TokenRequestError`. In the background, the current token is kept.
 *
 * @example
 * ```ts
 * import { TokenClient, type TokenClientEvent } from '@gridkey/client';
 *
 * const log = (e: TokenClientEvent) => console.info(`gridkey ${e.type}`, e);
 * const client = new TokenClient({ tokenUrl, clientId, clientSecret, onEvent: log });
 * ```
 */
export type TokenClientEvent =
  | {
      type: 'renewed';
      scope: string | undefined;
      audience: string | undefined;
      background: boolean;
      source: 'endpoint' | 'store';
      expiresInMs: number | undefined;
      attempts: number;
    }
  | {
      type: 'retry_scheduled';
      scope: string | undefined;
      audience: string | undefined;
      attempt: number;
      delayMs: number;
      status: number | undefined;
      reason: 'rate_limited' | 'server_error' | 'network_error';
    }
  | {
      type: 'failed';
      scope: string | undefined;
      audience: string | undefined;
      background: boolean;
      code: string;
      status: number | undefined;
      error: string | undefined;
    };
