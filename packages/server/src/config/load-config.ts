import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { UsageError } from '../errors.js';
import { deepFreeze } from '../lib/deep-freeze.js';
import { DEFAULTS } from './defaults.js';
import { explainValueError } from './explain-value-error.js';
import { type Config, ConfigSchema } from './schema.js';
import { badTrustProxyEntry, TRUST_PROXY_EXPECTED } from './trust-proxy.js';

type ConfigInput = Partial<Record<keyof Config, unknown>>;

/** `GRIDKEY_ACCESS_TOKEN_TTL_SECONDS` ↔ `accessTokenTtlSeconds`. */
const envName = (key: string) => `GRIDKEY_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

function fromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const raw = env[envName(key)];
    if (raw === undefined || raw === '') continue;
    out[key] = key === 'profiles' ? raw.split(/[\s,]+/).filter(Boolean) : raw;
  }
  return out;
}

function fromFile(path: string | undefined): ConfigInput {
  if (path === undefined) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as ConfigInput;
  } catch {
    throw new UsageError(`config file ${path} is not valid JSON`);
  }
}

function dropUndefined(input: ConfigInput): ConfigInput {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/**
 * Builds the configuration: flags win over `GRIDKEY_*` environment variables,
 * which win over the optional JSON file, which wins over the defaults. The
 * result is validated once and frozen all the way down (`roles` and
 * `profiles` included). A bad value is named where it was set (the flag,
 * the `GRIDKEY_*` variable or the file's key) with what it must be.
 */
export function loadConfig(
  options: {
    flags?: ConfigInput;
    env?: NodeJS.ProcessEnv;
    file?: string;
    /** The flag that sets a key (`logLevel` → `--log-level`), to name it in an error. */
    flagName?: (key: string) => string | undefined;
  } = {},
): Config {
  const path = options.file ?? (options.env?.GRIDKEY_CONFIG || undefined);
  const file = dropUndefined(fromFile(path));
  const env = dropUndefined(fromEnv(options.env ?? {}));
  const flags = dropUndefined(options.flags ?? {});
  const merged = { ...DEFAULTS, ...file, ...env, ...flags };
  // A bad value is named where it was set: the flag, the variable or the
  // file's key; one left unset by the flag that would set it.
  const nameOf = (key: string): string =>
    key in env && !(key in flags)
      ? envName(key)
      : key in file && !(key in flags)
        ? `${key} in ${path}`
        : (options.flagName?.(key) ?? key);
  // Env and flags arrive as strings; convert where the schema wants numbers.
  const converted = Value.Convert(ConfigSchema, merged);
  const errors = [...Value.Errors(ConfigSchema, converted)];
  const first = errors[0];
  if (first !== undefined) {
    const key = first.path.replace(/^\//, '').split('/')[0] || '(root)';
    throw new UsageError(`${nameOf(key)} ${explainValueError(key, first)}`);
  }
  const config = converted as Config;
  const badProxy = badTrustProxyEntry(config.trustProxy);
  if (badProxy !== undefined) {
    throw new UsageError(`${nameOf('trustProxy')} ${TRUST_PROXY_EXPECTED} (got '${badProxy}')`);
  }
  if (config.accessTokenTtlSeconds > config.accessTokenMaxTtlSeconds) {
    throw new UsageError(
      `invalid configuration: ${nameOf('accessTokenTtlSeconds')} exceeds ${nameOf('accessTokenMaxTtlSeconds')}`,
    );
  }
  if (
    config.metricsPort !== undefined &&
    config.metricsPort !== 0 &&
    config.metricsPort === config.port &&
    (config.metricsHost ?? config.host) === config.host
  ) {
    throw new UsageError(
      `invalid configuration: ${nameOf('metricsPort')} must differ from ${nameOf('port')}`,
    );
  }
  if (config.metricsHost !== undefined && config.metricsPort === undefined) {
    throw new UsageError(
      `invalid configuration: ${nameOf('metricsHost')} needs ${nameOf('metricsPort')}`,
    );
  }
  // Copies first: what came in (a flag's array, DEFAULTS' members) stays the caller's.
  return deepFreeze(structuredClone(config)) as Config;
}
