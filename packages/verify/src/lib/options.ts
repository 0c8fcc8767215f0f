import type { VerifierOptions } from '../types.js';
import { checkAlgorithms } from './algorithms.js';

/** All defaults in one place (the README's options table repeats them). */
export const DEFAULTS = Object.freeze({
  clockToleranceSeconds: 0,
  pollMs: 500,
  maxStalenessMs: 2000,
  failOpenMaxStalenessMs: 300_000,
  feedTimeoutMs: 5000,
  maxEntries: 10_000,
  cooldownMs: 30_000,
  cacheMaxAgeMs: 600_000,
  jwksTimeoutMs: 5000,
  maxStaleMs: 86_400_000,
  introspectionCacheTtlMs: 30_000,
  introspectionTimeoutMs: 5000,
});

export interface FeedSettings {
  url: string;
  pollMs: number;
  maxStalenessMs: number;
  failOpen: boolean;
  failOpenMaxStalenessMs: number;
  timeoutMs: number;
}

export interface Settings {
  issuer: string;
  audience: readonly string[] | undefined;
  jwksUri: string | undefined;
  algorithms: readonly string[] | undefined;
  clockToleranceSeconds: number;
  introspection:
    | {
        clientId: string;
        clientSecret: string;
        endpoint: string | undefined;
        cacheTtlMs: number;
        timeoutMs: number;
      }
    | undefined;
  feed: FeedSettings | undefined;
  maxEntries: number;
  jwks: { cooldownMs: number; cacheMaxAgeMs: number; timeoutMs: number; maxStaleMs: number };
  fetch: typeof fetch;
}

const fail = (message: string): never => {
  throw new TypeError(message);
};

function objectOf(value: unknown, name: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`${name} must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) fail(`${name}.${key} is not an option`);
  }
  return value as Record<string, unknown>;
}

function httpUrl(value: unknown, name: string): string {
  if (typeof value !== 'string') return fail(`${name} must be an http(s) URL string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${name} must be an http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`${name} must be http(s)`);
  return value;
}

function ms(value: unknown, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    return fail(`${name} must be a number of milliseconds, at least ${min}`);
  }
  return value;
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') return fail(`${name} must be a non-empty string`);
  return value;
}

function checkIssuer(value: unknown): string {
  const issuer = httpUrl(value, 'issuer');
  const url = new URL(issuer);
  // RFC 8414 §2: the issuer has no query or fragment.
  if (url.search !== '' || url.hash !== '' || issuer.includes('#')) {
    fail('issuer must have no query or fragment');
  }
  return issuer;
}

export const MAX_CLOCK_TOLERANCE_SECONDS = 300;

function checkAudience(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) fail('audience must not be an empty list');
  return Object.freeze(list.map((a, i) => nonEmpty(a, `audience[${i}]`)));
}

function checkIntrospection(value: unknown): Settings['introspection'] {
  if (value === undefined) return undefined;
  const o = objectOf(value, 'introspection', [
    'clientId',
    'clientSecret',
    'endpoint',
    'cacheTtlMs',
    'timeoutMs',
  ]);
  return {
    clientId: nonEmpty(o.clientId, 'introspection.clientId'),
    clientSecret: nonEmpty(o.clientSecret, 'introspection.clientSecret'),
    endpoint: o.endpoint === undefined ? undefined : httpUrl(o.endpoint, 'introspection.endpoint'),
    cacheTtlMs: ms(o.cacheTtlMs, 'introspection.cacheTtlMs', DEFAULTS.introspectionCacheTtlMs),
    timeoutMs: ms(o.timeoutMs, 'introspection.timeoutMs', DEFAULTS.introspectionTimeoutMs, 1),
  };
}

function checkFeed(value: unknown, issuer: string): FeedSettings | undefined {
  if (value === false) return undefined;
  const o =
    value === undefined || value === true
      ? {}
      : objectOf(value, 'stateFeed', [
          'pollMs',
          'maxStalenessMs',
          'failOpen',
          'failOpenMaxStalenessMs',
          'url',
          'timeoutMs',
        ]);
  if (o.failOpen !== undefined && typeof o.failOpen !== 'boolean') {
    fail('stateFeed.failOpen must be a boolean');
  }
  const feed: FeedSettings = {
    url:
      o.url === undefined
        ? `${issuer.replace(/\/+$/, '')}/revocations`
        : httpUrl(o.url, 'stateFeed.url'),
    pollMs: ms(o.pollMs, 'stateFeed.pollMs', DEFAULTS.pollMs, 10),
    maxStalenessMs: ms(o.maxStalenessMs, 'stateFeed.maxStalenessMs', DEFAULTS.maxStalenessMs, 1),
    failOpen: o.failOpen === true,
    failOpenMaxStalenessMs: ms(
      o.failOpenMaxStalenessMs,
      'stateFeed.failOpenMaxStalenessMs',
      DEFAULTS.failOpenMaxStalenessMs,
    ),
    timeoutMs: ms(o.timeoutMs, 'stateFeed.timeoutMs', DEFAULTS.feedTimeoutMs, 1),
  };
  if (feed.maxStalenessMs < feed.pollMs) {
    fail('stateFeed.maxStalenessMs must be at least stateFeed.pollMs');
  }
  return feed;
}

function checkMaxEntries(value: unknown): number {
  if (value === false) return 0;
  if (value === undefined) return DEFAULTS.maxEntries;
  const o = objectOf(value, 'cache', ['maxEntries']);
  if (o.maxEntries === undefined) return DEFAULTS.maxEntries;
  if (!Number.isSafeInteger(o.maxEntries) || (o.maxEntries as number) < 1) {
    fail('cache.maxEntries must be a whole number, at least 1');
  }
  return o.maxEntries as number;
}

/** Looked up at call time, so a fetch replaced after the verifier was made is used. */
const defaultFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

/** Checks and freezes the options: a mistake is a TypeError that names the option. */
export function checkOptions(options: VerifierOptions): Readonly<Settings> {
  const o = objectOf(options, 'options', [
    'issuer',
    'audience',
    'jwksUri',
    'algorithms',
    'clockToleranceSeconds',
    'introspection',
    'stateFeed',
    'cache',
    'jwks',
    'fetch',
  ]);
  const issuer = checkIssuer(o.issuer);
  const tolerance = o.clockToleranceSeconds ?? DEFAULTS.clockToleranceSeconds;
  // The feed keeps telling of a revocation 300 s past the token's exp
  // (docs/state-feed.md): more leeway would let a revoked token back in.
  if (
    typeof tolerance !== 'number' ||
    !Number.isFinite(tolerance) ||
    tolerance < 0 ||
    tolerance > MAX_CLOCK_TOLERANCE_SECONDS
  ) {
    fail(`clockToleranceSeconds must be a number from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`);
  }
  const jwks = objectOf(o.jwks ?? {}, 'jwks', [
    'cooldownMs',
    'cacheMaxAgeMs',
    'timeoutMs',
    'maxStaleMs',
  ]);
  if (o.fetch !== undefined && typeof o.fetch !== 'function') fail('fetch must be a function');
  return Object.freeze({
    issuer,
    audience: checkAudience(o.audience) ?? Object.freeze([issuer]),
    jwksUri: o.jwksUri === undefined ? undefined : httpUrl(o.jwksUri, 'jwksUri'),
    algorithms: o.algorithms === undefined ? undefined : checkAlgorithms(o.algorithms),
    clockToleranceSeconds: tolerance as number,
    introspection: checkIntrospection(o.introspection),
    feed: checkFeed(o.stateFeed, issuer),
    maxEntries: checkMaxEntries(o.cache),
    jwks: {
      cooldownMs: ms(jwks.cooldownMs, 'jwks.cooldownMs', DEFAULTS.cooldownMs),
      cacheMaxAgeMs: ms(jwks.cacheMaxAgeMs, 'jwks.cacheMaxAgeMs', DEFAULTS.cacheMaxAgeMs),
      timeoutMs: ms(jwks.timeoutMs, 'jwks.timeoutMs', DEFAULTS.jwksTimeoutMs, 1),
      maxStaleMs: ms(jwks.maxStaleMs, 'jwks.maxStaleMs', DEFAULTS.maxStaleMs),
    },
    fetch: (o.fetch as typeof fetch | undefined) ?? defaultFetch,
  });
}
