import { TokenRequestError } from '../errors.js';
import type { TokenClientEvent } from '../events.js';
import { backoffDelay, type RetryPolicy, sleep } from './backoff.js';
import type { ClientSettings } from './options.js';
import { parseRetryAfter } from './retry-after.js';

/** A token as the endpoint gave it, with its lifetime on the monotonic clock. */
export interface IssuedToken {
  value: string;
  /** `now()` when the successful request was sent: the lifetime counts from there. */
  requestedAt: number;
  /** Lifetime in ms, or undefined when the response did not say. */
  lifetimeMs: number | undefined;
  attempts: number;
}

/** The cache key: which token to ask for. */
export interface TokenTarget {
  scope: string | undefined;
  audience: string | undefined;
}

// RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

function buildRequest(settings: ClientSettings, target: TokenTarget) {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (target.scope !== undefined) form.set('scope', target.scope);
  if (target.audience !== undefined) form.set('audience', target.audience);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (settings.auth === 'client_secret_basic') {
    const pair = `${formEncode(settings.clientId)}:${formEncode(settings.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    form.set('client_id', settings.clientId);
    form.set('client_secret', settings.clientSecret);
  }
  return { headers, body: form.toString() };
}

async function readJson(res: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const json: unknown = await res.json();
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** `exp − iat` of a JWT, a lifetime that does not depend on either clock. */
function jwtLifetimeMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      exp?: unknown;
      iat?: unknown;
    };
    if (typeof claims.exp === 'number' && typeof claims.iat === 'number') {
      return (claims.exp - claims.iat) * 1000;
    }
  } catch {}
  return undefined;
}

/** RFC 6749 §5.1: a successful response, checked before it is trusted. */
function readTokenResponse(json: Record<string, unknown> | undefined) {
  const value = str(json?.access_token);
  const type = str(json?.token_type);
  // RFC 6749 §7.1: token_type is case-insensitive; only Bearer is usable here.
  if (value === undefined || value === '' || type?.toLowerCase() !== 'bearer') return undefined;
  const expiresIn = json?.expires_in;
  const lifetimeMs =
    typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
      ? expiresIn * 1000
      : jwtLifetimeMs(value);
  return { value, lifetimeMs };
}

type Retryable = {
  reason: 'rate_limited' | 'server_error' | 'network_error';
  status: number | undefined;
  retryAfterMs: number | undefined;
  cause?: unknown;
};

/**
 * One client_credentials token, with retries: 429 waits out `Retry-After`;
 * 5xx and network failures back off with full jitter; 400/401/403 fail at once
 * (RFC 6749 §5.2: retrying a bad secret only feeds a lockout).
 */
export async function requestToken(
  settings: ClientSettings,
  target: TokenTarget,
  signal: AbortSignal,
  emit: (event: TokenClientEvent) => void,
): Promise<IssuedToken> {
  const policy: RetryPolicy = settings.retry;
  const { headers, body } = buildRequest(settings, target);
  const startedAt = settings.now();
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    const requestedAt = settings.now();
    let failure: Retryable;
    try {
      const res = await fetch(settings.tokenUrl, {
        method: 'POST',
        headers,
        body,
        signal,
        redirect: 'error',
      });
      if (res.ok) {
        const token = readTokenResponse(await readJson(res));
        if (token === undefined) {
          throw new TokenRequestError('invalid_response', {
            status: res.status,
            attempts: attempt,
          });
        }
        return { ...token, requestedAt, attempts: attempt };
      }
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel();
        failure = {
          reason: res.status === 429 ? 'rate_limited' : 'server_error',
          status: res.status,
          retryAfterMs,
        };
      } else {
        const json = await readJson(res);
        const refused = res.status === 400 || res.status === 401 || res.status === 403;
        throw new TokenRequestError(refused ? 'refused' : 'unexpected_status', {
          status: res.status,
          error: str(json?.error),
          description: str(json?.error_description),
          attempts: attempt,
        });
      }
    } catch (err) {
      if (err instanceof TokenRequestError) throw err;
      if (signal.aborted) throw signal.reason;
      failure = { reason: 'network_error', status: undefined, retryAfterMs: undefined, cause: err };
    }
    const delayMs = failure.retryAfterMs ?? backoffDelay(policy, attempt);
    const elapsed = settings.now() - startedAt;
    if (attempt >= policy.maxAttempts || elapsed + delayMs > policy.maxElapsedMs) {
      throw new TokenRequestError('exhausted', {
        status: failure.status,
        attempts: attempt,
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
