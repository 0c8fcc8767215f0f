/**
 * Every stable failure code of a token request, in one registry.
 *
 * - `refused`: the token endpoint answered 400, 401 or 403 (a bad secret, a
 *   scope or audience the client may not have); never retried.
 * - `unexpected_status`: another status that retrying cannot fix (404, 405…).
 * - `invalid_response`: a 2xx whose body is not a Bearer token response.
 * - `exhausted`: 429, 5xx or network failures (or requests outlasting
 *   `timeoutMs`) outlasted the retry budget.
 * - `login_required`: the password flow has no refresh token left (it was
 *   refused, or the store holds none) and the password is gone; make a new
 *   client with the password to log in again.
 *
 * @example
 * ```ts
 * import { TOKEN_REQUEST_ERROR_CODES } from '@gridkey/client/errors';
 * console.log(TOKEN_REQUEST_ERROR_CODES.includes('refused')); // true
 * ```
 */
export const TOKEN_REQUEST_ERROR_CODES = [
  'refused',
  'unexpected_status',
  'invalid_response',
  'exhausted',
  'login_required',
] as const;

/**
 * Why a token request failed.
 *
 * @example
 * ```ts
 * import type { TokenRequestErrorCode } from '@gridkey/client/errors';
 * const fixable = (code: TokenRequestErrorCode) => code !== 'refused';
 * ```
 */
export type TokenRequestErrorCode = (typeof TOKEN_REQUEST_ERROR_CODES)[number];

/**
 * A token request that failed. The message names the status and the OAuth
 * `error` code only: neither the client secret nor any token ever appears in
 * it, nor in `description`, which is the server's `error_description`.
 *
 * @example
 * ```ts
 * import { TokenClient } from '@gridkey/client';
 * import { TokenRequestError } from '@gridkey/client/errors';
 *
 * const client = new TokenClient({ tokenUrl, clientId, clientSecret });
 * try {
 *   await client.getToken();
 * } catch (err) {
 *   if (err instanceof TokenRequestError && err.error === 'invalid_client') {
 *     console.error('check GRIDKEY_CLIENT_SECRET');
 *   }
 * }
 * ```
 */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
  /** The stable failure code. */
  readonly code: TokenRequestErrorCode;
  /** The HTTP status of the last answer, if any answer came. */
  readonly status: number | undefined;
  /** The OAuth `error` code of the answer (RFC 6749 §5.2), if it had one. */
  readonly error: string | undefined;
  /** The server's `error_description`, if any. */
  readonly description: string | undefined;
  /** How many requests were sent before giving up. */
  readonly attempts: number;
  /**
   * `exhausted` by a 429 or 503 whose `Retry-After` outlasted the retry
   * budget: the wait it asked for, in ms. The client sends no request for
   * that long.
   */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: TokenRequestErrorCode,
    details: {
      status?: number | undefined;
      error?: string | undefined;
      description?: string | undefined;
      attempts: number;
      retryAfterMs?: number | undefined;
      cause?: unknown;
    },
  ) {
    const what = [details.status, details.error].filter((x) => x !== undefined).join(' ');
    super(
      `token request ${code}${what === '' ? '' : `: ${what}`} after ${details.attempts} attempt(s)`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = code;
    this.status = details.status;
    this.error = details.error;
    this.description = details.description;
    this.attempts = details.attempts;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * Whether `err` is a {@link TokenRequestError}, across copies of the package.
 *
 * @example
 * ```ts
 * import { isTokenRequestError } from '@gridkey/client/errors';
 * try {
 *   await client.getToken();
 * } catch (err) {
 *   if (isTokenRequestError(err) && err.code === 'exhausted') scheduleLater();
 * }
 * ```
 */
export function isTokenRequestError(err: unknown): err is TokenRequestError {
  return (
    err instanceof TokenRequestError ||
    (err instanceof Error &&
      err.name === 'TokenRequestError' &&
      typeof (err as { code?: unknown }).code === 'string')
  );
}
