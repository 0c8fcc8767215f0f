import type { TokenClientEvent } from '../events.js';
import type { RetryPolicy } from './backoff.js';

/** The retry bounds a client starts from; each can be overridden. */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  maxElapsedMs: 30_000,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
});

/** Renew when this share of a token's lifetime has gone (RFC 6749 §5.1 `expires_in`). */
export const DEFAULT_RENEW_AT = 0.8;

/** Renewal starts up to this share of the lifetime early, so that replicas spread out. */
export const RENEW_JITTER = 0.05;

/** How long one token request may take before it counts as a network failure. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** What every flow shares: when to renew, how to retry, whom to tell. */
export interface CommonSettings {
  renewAt: number;
  timeoutMs: number;
  retry: RetryPolicy;
  onEvent: ((event: TokenClientEvent) => void) | undefined;
  now: () => number;
}

/** How a client authenticates at an RFC 6749 token endpoint (§2.3.1). */
export interface ClientAuth {
  clientId: string;
  clientSecret: string;
  auth: 'client_secret_basic' | 'client_secret_post';
}

/** The options of `new TokenClient(...)`, checked and with defaults applied. */
export interface ClientSettings extends CommonSettings, ClientAuth {
  tokenUrl: string;
  scope: string | undefined;
  audience: string | undefined;
}

export type RawOptions = Record<string, unknown>;

/** Scopes as a sorted, de-duplicated, space-separated string (RFC 6749 §3.3), or undefined. */
export function normaliseScope(scope: unknown, option: string): string | undefined {
  if (scope === undefined) return undefined;
  const parts = typeof scope === 'string' ? scope.split(' ') : scope;
  if (!Array.isArray(parts) || parts.some((s) => typeof s !== 'string')) {
    throw new TypeError(`${option} must be a string or an array of strings`);
  }
  const scopes = [...new Set((parts as string[]).filter((s) => s !== ''))].sort();
  return scopes.length === 0 ? undefined : scopes.join(' ');
}

export function checkAudience(audience: unknown, option: string): string | undefined {
  if (audience === undefined) return undefined;
  if (typeof audience !== 'string' || audience === '') {
    throw new TypeError(`${option} must be a non-empty string`);
  }
  return audience;
}

export function nonEmpty(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${option} must be a non-empty string`);
  }
  return value;
}

function positive(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${option} must be a positive number`);
  }
  return value;
}

/** An absolute http(s) URL without credentials, as its `href`. */
export function checkUrl(value: unknown, option: string): string {
  let url: URL;
  try {
    url = new URL(value instanceof URL ? value.href : nonEmpty(value, option));
  } catch (err) {
    if (err instanceof TypeError && err.message.startsWith(option)) throw err;
    throw new TypeError(`${option} must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${option} must be an http: or https: URL`);
  }
  // Credentials belong in their own options, where they are kept out of errors.
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`${option} must not carry credentials`);
  }
  return url.href;
}

export function checkObject(options: unknown, what: string): RawOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${what} options must be an object`);
  }
  return options as RawOptions;
}

/** `renewAt`, `retry`, `onEvent` and `now`, naming the option at fault. */
export function checkCommon(options: RawOptions): CommonSettings {
  const renewAt = options.renewAt ?? DEFAULT_RENEW_AT;
  if (typeof renewAt !== 'number' || !(renewAt > 0 && renewAt < 1)) {
    throw new TypeError('renewAt must be a number between 0 and 1 (exclusive)');
  }
  const retry = (options.retry ?? {}) as RawOptions;
  if (typeof retry !== 'object' || retry === null) {
    throw new TypeError('retry must be an object');
  }
  const maxAttempts = positive(retry.maxAttempts, 'retry.maxAttempts', DEFAULT_RETRY.maxAttempts);
  if (!Number.isInteger(maxAttempts)) throw new TypeError('retry.maxAttempts must be an integer');
  for (const name of ['onEvent', 'now'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`${name} must be a function`);
    }
  }
  return {
    renewAt,
    timeoutMs: positive(options.timeoutMs, 'timeoutMs', DEFAULT_TIMEOUT_MS),
    retry: Object.freeze({
      maxAttempts,
      maxElapsedMs: positive(retry.maxElapsedMs, 'retry.maxElapsedMs', DEFAULT_RETRY.maxElapsedMs),
      baseDelayMs: positive(retry.baseDelayMs, 'retry.baseDelayMs', DEFAULT_RETRY.baseDelayMs),
      maxDelayMs: positive(retry.maxDelayMs, 'retry.maxDelayMs', DEFAULT_RETRY.maxDelayMs),
    }),
    onEvent: options.onEvent as CommonSettings['onEvent'],
    now: (options.now as (() => number) | undefined) ?? (() => performance.now()),
  };
}

/** `clientId`, `clientSecret` and `auth`. */
export function checkClientAuth(options: RawOptions): ClientAuth {
  const auth = options.auth ?? 'client_secret_basic';
  if (auth !== 'client_secret_basic' && auth !== 'client_secret_post') {
    throw new TypeError("auth must be 'client_secret_basic' or 'client_secret_post'");
  }
  return {
    clientId: nonEmpty(options.clientId, 'clientId'),
    clientSecret: nonEmpty(options.clientSecret, 'clientSecret'),
    auth,
  };
}

/** Checks every option of the client_credentials client, naming the one at fault. */
export function checkOptions(options: unknown): ClientSettings {
  const raw = checkObject(options, 'TokenClient');
  return {
    ...checkCommon(raw),
    ...checkClientAuth(raw),
    tokenUrl: checkUrl(raw.tokenUrl, 'tokenUrl'),
    scope: normaliseScope(raw.scope, 'scope'),
    audience: checkAudience(raw.audience, 'audience'),
  };
}
