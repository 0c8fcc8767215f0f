import { ERROR_STYLES, type ErrorStyle } from './error-style.js';

/** Everything the example reads from its environment, checked once at start and frozen. */
export interface EnergyApiConfig {
  /** The gridkey issuer (`GRIDKEY_URL`), without a trailing slash. */
  readonly issuer: string;
  readonly host: string;
  readonly port: number;
  /** SQLite file (`ENERGY_DB`), or `:memory:`. */
  readonly dbPath: string;
  readonly errorStyle: ErrorStyle;
  /** A resource-server client (`client create --resource-server`) the verifier introspects API keys as; absent without both variables. */
  readonly introspection?: { readonly clientId: string; readonly clientSecret: string };
  /** `ENERGY_API_VERIFY=off`: serve without verification. For the benchmark only. */
  readonly verify: boolean;
  /** Pino level of the request log (`LOG_LEVEL`). */
  readonly logLevel: LogLevel;
}

/** The levels `LOG_LEVEL` accepts; `silent` logs nothing. */
export const LOG_LEVELS = Object.freeze([
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const);

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What {@link loadConfig} throws: one line that names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Every default of the example, in one place. */
export const DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8081,
  dbPath: './.energy-api/energy.db',
  errorStyle: 'rfc6750' satisfies ErrorStyle,
  logLevel: 'info' satisfies LogLevel,
});

/**
 * Reads and checks the example's environment. An empty variable counts as
 * unset, so `PORT= npm run example` means the default rather than an error.
 *
 * @example
 * ```ts
 * const config = loadConfig({ GRIDKEY_URL: 'http://127.0.0.1:8080' });
 * config.port; // 8081
 * ```
 */
export function loadConfig(env: NodeJS.ProcessEnv): EnergyApiConfig {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const clientId = get('GRIDKEY_CLIENT_ID');
  const clientSecret = get('GRIDKEY_CLIENT_SECRET');
  // One without the other is a typo, not a choice: API keys would be refused at runtime.
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw new ConfigError(
      'GRIDKEY_CLIENT_ID and GRIDKEY_CLIENT_SECRET must be set together (for API-key introspection) or not at all',
    );
  }
  return Object.freeze({
    issuer: parseIssuer(get('GRIDKEY_URL')),
    host: get('HOST') ?? DEFAULTS.host,
    port: parsePort(get('PORT')),
    dbPath: get('ENERGY_DB') ?? DEFAULTS.dbPath,
    errorStyle: oneOf(
      'GRIDKEY_ERROR_STYLE',
      get('GRIDKEY_ERROR_STYLE'),
      ERROR_STYLES,
      DEFAULTS.errorStyle,
    ),
    verify: parseVerify(get('ENERGY_API_VERIFY')),
    logLevel: oneOf('LOG_LEVEL', get('LOG_LEVEL'), LOG_LEVELS, DEFAULTS.logLevel),
    ...(clientId === undefined || clientSecret === undefined
      ? {}
      : { introspection: Object.freeze({ clientId, clientSecret }) }),
  });
}

function parseIssuer(value: string | undefined): string {
  if (value === undefined) {
    throw new ConfigError(
      'GRIDKEY_URL is required: the gridkey issuer, e.g. GRIDKEY_URL=http://127.0.0.1:8080',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`GRIDKEY_URL must be an http(s) URL, e.g. http://127.0.0.1:8080`);
  }
  // RFC 8414 §2: the issuer has no query or fragment.
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new ConfigError('GRIDKEY_URL must be an http(s) URL with no query or fragment');
  }
  // The issuer is compared as a string with the tokens' `iss`, which has no trailing slash.
  return value.replace(/\/+$/, '');
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULTS.port;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${value}"`);
  }
  return port;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function parseVerify(value: string | undefined): boolean {
  if (value === undefined || value === 'on') return true;
  if (value === 'off') return false;
  throw new ConfigError(`ENERGY_API_VERIFY must be on or off, got "${value}"`);
}
