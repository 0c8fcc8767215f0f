import { Command } from 'commander';
import {
  type CommonOptions,
  commandConfig,
  parseWholeNumber,
  withCommonOptions,
} from '../common.js';

interface ServeOptions extends CommonOptions {
  host?: string;
  port?: number;
  metricsPort?: number;
  metricsHost?: string;
  issuer?: string;
  profile: string[];
  logLevel?: string;
  trustProxy?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Quoted for a POSIX shell where it has to be, so that a pasted command reads it back. */
const shellWord = (word: string) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/** A database URL's password stays out of the terminal and the logs. */
function withoutPassword(db: string): string {
  try {
    const url = new URL(db);
    if (url.password === '') return db;
    url.password = 'PASSWORD';
    return url.href;
  } catch {
    return db;
  }
}

/**
 * The flags that chose this server's store (--data-dir, --db, --config), for
 * the commands the hints suggest: pasted, they act on the same store.
 */
function storeFlags(opts: CommonOptions): string {
  const flags: [string, string | undefined][] = [
    ['--data-dir', opts.dataDir],
    ['--db', opts.db === undefined ? undefined : withoutPassword(opts.db)],
    ['--config', opts.config],
  ];
  return flags
    .filter((flag): flag is [string, string] => flag[1] !== undefined)
    .map(([flag, value]) => ` ${flag} ${shellWord(value)}`)
    .join('');
}

function firstStartHint(url: string, flags: string): string {
  return [
    `gridkey is listening on ${url}`,
    'To get a first token, register a client and ask for one:',
    `  npx gridkey client create --name demo${flags} --json`,
    `  curl -s -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials ${url}/oauth2/token`,
    '',
  ].join('\n');
}

export function serveCommand(): Command {
  return withCommonOptions(new Command('serve'))
    .description('run the authorization server')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port (default 8080; 0 picks a free one)', parseWholeNumber('--port'))
    .option(
      '--metrics-port <port>',
      'serve /metrics on this port only, not on --port (0 picks a free one)',
      parseWholeNumber('--metrics-port'),
    )
    .option('--metrics-host <host>', 'address for the metrics listener (default: --host)')
    .option('--issuer <url>', 'issuer URL (default: the listening URL)')
    .option('--profile <name>', 'apply a profile (repeatable)', collect, [])
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .option(
      '--trust-proxy <proxies>',
      'believe X-Forwarded-For from these proxies: addresses and CIDR ranges, e.g. loopback,10.0.0.0/8',
    )
    .action(async (opts: ServeOptions) => {
      const config = commandConfig(opts, {
        host: opts.host,
        port: opts.port,
        metricsPort: opts.metricsPort,
        metricsHost: opts.metricsHost,
        issuer: opts.issuer,
        profiles: opts.profile.length > 0 ? opts.profile : undefined,
        logLevel: opts.logLevel,
        trustProxy: opts.trustProxy,
      });
      // Loaded here, not at the top: the HTTP stack (Fastify, pino, prom-client,
      // Redis) is most of the CLI's start-up time, and only `serve` needs it.
      const { startServer } = await import('../../serve.js');
      const server = await startServer(config);
      const flag = storeFlags(opts);
      if ((await server.gk.store.clients.list()).length === 0) {
        process.stderr.write(firstStartHint(server.url, flag));
      }
      if ((await server.gk.pats.list()).length === 0) {
        process.stderr.write(
          `No admin token yet: create one with  npx gridkey admin-token create${flag} --json  and sign in at ${server.url}/admin/\n`,
        );
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.logger.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), config.shutdownGraceSeconds * 1000);
        force.unref();
        server.close().then(
          () => process.exit(0),
          (err) => {
            server.logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
