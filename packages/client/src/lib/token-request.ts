import { TokenRequestError } from '../errors.js';
import type { TokenClientEvent } from '../events.js';
import { backoffDelay, sleep } from './backoff.js';
import type { CommonSettings } from './options.js';
import { parseRetryAfter } from './retry-after.js';

/** A token as the endpoint gave it, with its lifetime on the monotonic clock. */
export interface IssuedToken {
  value: string;
  /** `now()` when the successful request was sent: the lifetime counts from there. */
  requestedAt: number;
  /** Lifetime in ms, or undefined when the response did not say. */
  lifetimeMs: number | undefined;
  /** A rotated refresh token (RFC 6749 §6), when the answer carried one. */
  refreshToken: string | undefined;
  /** Requests sent for it; 0 when it came from a shared store. */
  attempts: number;
}

/** The cache key: which token to ask for. */
export interface TokenTarget {
  scope: string | undefined;
  audience: string | undefined;
}

/** One POST to a token endpoint, ready to send (and to send again). */
export interface TokenHttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** How one kind of endpoint answers: its success document and its error document. */
export interface TokenDialect {
  /** The token of a 2xx answer, or undefined when the body is not a token response. */
  readToken(
    json: Record<string, unknown> | undefined,
  ): Pick<IssuedToken, 'value' | 'lifetimeMs' | 'refreshToken'> | undefined;
  /** The error code and description of a 4xx answer. */
  readError(json: Record<string, unknown> | undefined): {
    error: string | undefined;
    description: string | undefined;
  };
}

export async function readJson(res: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const json: unknown = await res.json();
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

type Retryable = {
  reason: 'rate_limited' | 'server_error' | 'network_error';
  status: number | undefined;
  retryAfterMs: number | undefined;
  cause?: unknown;
};

/**
 * One token request, with retries: 429 waits out `Retry-After`; 5xx and
 * network failures back off with full jitter; 400/401/403 fail at once
 * (RFC 6749 §5.2: retrying a bad secret only feeds a lockout).
 */
export async function postTokenRequest(
  request: TokenHttpRequest,
  dialect: TokenDialect,
  settings: CommonSettings,
  target: TokenTarget,
  signal: AbortSignal,
  emit: (event: TokenClientEvent) => void,
): Promise<IssuedToken> {
  const policy = settings.retry;
  const startedAt = settings.now();
  let lastRetryAfterMs: number | undefined;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    const requestedAt = settings.now();
    let failure: Retryable;
    try {
      const res = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        // A hung endpoint counts as a network failure, retried like one.
        signal: AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]),
        // A redirect would carry the credentials to wherever it points: it
        // is not followed, and fails like any status retrying cannot fix.
        redirect: 'manual',
      });
      if (res.ok) {
        const token = dialect.readToken(await readJson(res));
        if (token === undefined) {
          throw new TokenRequestError('invalid_response', {
            status: res.status,
            attempts: attempt,
          });
        }
        return { ...token, requestedAt, attempts: attempt };
      }
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      lastRetryAfterMs = retryAfterMs;
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel();
        failure = {
          reason: res.status === 429 ? 'rate_limited' : 'server_error',
          status: res.status,
          retryAfterMs,
        };
      } else {
        const refused = res.status === 400 || res.status === 401 || res.status === 403;
        throw new TokenRequestError(refused ? 'refused' : 'unexpected_status', {
          status: res.status,
          ...dialect.readError(await readJson(res)),
          attempts: attempt,
        });
      }
    } catch (err) {
      if (err instanceof TokenRequestError) throw err;
      if (signal.aborted) throw signal.reason;
      failure = { reason: 'network_error', status: undefined, retryAfterMs: undefined, cause: err };
      lastRetryAfterMs = undefined;
    }
    const delayMs = failure.retryAfterMs ?? backoffDelay(policy, attempt);
    const elapsed = settings.now() - startedAt;
    if (attempt >= policy.maxAttempts || elapsed + delayMs > policy.maxElapsedMs) {
      throw new TokenRequestError('exhausted', {
        status: failure.status,
        attempts: attempt,
        retryAfterMs: lastRetryAfterMs,
        cause: failure.cause,
      });
    }
    emit({
      type: 'retry_scheduled',
      ...target,
      attempt,
      delayMs,
      status: failure.status,
      reason: failure.reason,
    });
    await sleep(delayMs, signal);
  }
}
