import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { UsageError } from '../errors.js';
import { deepFreeze } from '../lib/deep-freeze.js';
import { DEFAULTS } from './defaults.js';
import { type Config, ConfigSchema } from './schema.js';
import { parseTrustProxy } from './trust-proxy.js';

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
 * `profiles` included); a bad value names its source key.
 */
export function loadConfig(
  options: { flags?: ConfigInput; env?: NodeJS.ProcessEnv; file?: string } = {},
): Config {
  const merged = {
    ...DEFAULTS,
    ...dropUndefined(fromFile(options.file ?? (options.env?.GRIDKEY_CONFIG || undefined))),
    ...dropUndefined(fromEnv(options.env ?? {})),
    ...dropUndefined(options.flags ?? {}),
  };
  // Env and flags arrive as strings; convert where the schema wants numbers.
  const converted = Value.Convert(ConfigSchema, merged);
  const errors = [...Value.Errors(ConfigSchema, converted)];
  const first = errors[0];
  if (first !== undefined) {
    const key = first.path.replace(/^\//, '').split('/')[0] || '(root)';
    const hint = key in ConfigSchema.properties ? ` (env ${envName(key)})` : '';
    throw new UsageError(`invalid configuration: ${key}${hint}: ${first.message}`);
  }
  const config = converted as Config;
  parseTrustProxy(config.trustProxy);
  if (config.accessTokenTtlSeconds > config.accessTokenMaxTtlSeconds) {
    throw new UsageError(
      'invalid configuration: accessTokenTtlSeconds exceeds accessTokenMaxTtlSeconds',
    );
  }
  if (
    config.metricsPort !== undefined &&
    config.metricsPort !== 0 &&
    config.metricsPort === config.port &&
    (config.metricsHost ?? config.host) === config.host
  ) {
    throw new UsageError('invalid configuration: metricsPort must differ from port');
  }
  if (config.metricsHost !== undefined && config.metricsPort === undefined) {
    throw new UsageError('invalid configuration: metricsHost needs metricsPort');
  }
  // Copies first: what came in (a flag's array, DEFAULTS' members) stays the caller's.
  return deepFreeze(structuredClone(config)) as Config;
}
