/**
 * gridkey as a library: build a configuration and run the server in-process.
 * The command line (`gridkey serve`) is the usual way in; this is for
 * embedding gridkey in another process or a test. Only what is declared here
 * is public: the store, the derived secrets (pepper, key-encryption key), the
 * key ring and the HTTP app stay inside the package, so a caller can neither
 * read them nor come to depend on them.
 *
 * @example
 * ```ts
 * import { loadConfig, startServer } from 'gridkey';
 * const server = await startServer(loadConfig({ flags: { port: 0 }, env: process.env }));
 * console.log(server.url);
 * await server.close();
 * ```
 *
 * @packageDocumentation
 */
import type { Logger } from 'pino';
import { loadConfig as loadValidatedConfig } from './config/load-config.js';
import type { Config as ValidatedConfig } from './config/schema.js';
import { startServer as startNode } from './serve.js';

/**
 * The validated, frozen server configuration that {@link loadConfig} returns
 * and {@link startServer} takes. Every setting carries its unit in its name
 * (`accessTokenTtlSeconds`); `docs/configuration.md` lists them all.
 *
 * @example
 * ```ts
 * import { type Config, loadConfig } from 'gridkey';
 * const config: Config = loadConfig({ flags: { profiles: ['edrv'] } });
 * console.log(config.accessTokenTtlSeconds, config.dataDir);
 * ```
 */
export type Config = ValidatedConfig;

/**
 * Where {@link loadConfig} reads settings from. Flags win over `GRIDKEY_*`
 * environment variables, which win over the JSON file, which wins over the
 * defaults. Values may be strings (as from a command line or the
 * environment): they are converted where the schema wants numbers.
 *
 * @example
 * ```ts
 * import { type LoadConfigOptions, loadConfig } from 'gridkey';
 * const options: LoadConfigOptions = {
 *   flags: { port: '0', dataDir: './.gridkey' },
 *   env: process.env, // GRIDKEY_ACCESS_TOKEN_TTL_SECONDS=600 → accessTokenTtlSeconds
 *   file: './gridkey.json',
 * };
 * const config = loadConfig(options);
 * ```
 */
export interface LoadConfigOptions {
  /** Settings by their config name (`accessTokenTtlSeconds`); highest precedence. */
  flags?: Partial<Record<keyof Config, unknown>>;
  /** Read for `GRIDKEY_*` variables and `GRIDKEY_CONFIG` (a file path); none when left out. */
  env?: NodeJS.ProcessEnv;
  /** A JSON file of settings; overrides `GRIDKEY_CONFIG` from `env`. */
  file?: string;
}

/**
 * Builds the configuration from flags, the environment and an optional JSON
 * file over the defaults, validates it once and freezes it. An invalid value
 * throws an `Error` whose message names the setting and its environment
 * variable.
 *
 * @example
 * ```ts
 * import { loadConfig } from 'gridkey';
 * const config = loadConfig({
 *   flags: { port: 8080, profiles: ['net2grid'] },
 *   env: process.env,
 * });
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  return loadValidatedConfig(options);
}

/**
 * How {@link startServer} runs.
 *
 * @example
 * ```ts
 * import { pino } from 'pino';
 * import { loadConfig, type StartServerOptions, startServer } from 'gridkey';
 * const options: StartServerOptions = { logger: pino({ level: 'warn' }) };
 * const server = await startServer(loadConfig(), options);
 * ```
 */
export interface StartServerOptions {
  /**
   * Where request and lifecycle lines go. By default gridkey's own logger at
   * `config.logLevel`, which batches stdout and redacts credentials; a logger
   * given here should redact them too.
   */
  logger?: Logger;
}

/**
 * A listening gridkey server, as {@link startServer} returns it.
 *
 * @example
 * ```ts
 * import { loadConfig, type RunningServer, startServer } from 'gridkey';
 * const server: RunningServer = await startServer(loadConfig({ flags: { port: 0 } }));
 * const jwks = await fetch(`${server.url}/.well-known/jwks.json`);
 * await server.close();
 * ```
 */
export interface RunningServer {
  /** The listening URL, e.g. `http://127.0.0.1:8080` (the issuer unless `config.issuer` is set). */
  readonly url: string;
  /** The metrics listener's `/metrics` URL when `config.metricsPort` is set. */
  readonly metricsUrl?: string;
  /** Stops accepting requests, finishes the ones in flight, closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the store (running migrations), loads the master key and the signing
 * keys (creating the first ones), listens on `config.host`/`config.port`, and
 * starts the background loops (key refresh, pruning). The master key comes
 * from `GRIDKEY_MASTER_KEY` or `master.key` in `config.dataDir`, created there
 * on first start.
 *
 * @example
 * ```ts
 * import { loadConfig, startServer } from 'gridkey';
 * const server = await startServer(loadConfig({ flags: { port: 0, dataDir: './.gridkey' } }));
 * process.once('SIGTERM', () => void server.close());
 * ```
 */
export async function startServer(
  config: Config,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const node = await startNode(
    config,
    options.logger === undefined ? {} : { logger: options.logger },
  );
  return {
    url: node.url,
    ...(node.metricsUrl === undefined ? {} : { metricsUrl: node.metricsUrl }),
    close: () => node.close(),
  };
}
