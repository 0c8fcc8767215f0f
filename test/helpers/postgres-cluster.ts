/**
 * A throwaway PostgreSQL cluster: initdb and pg_ctl on a temp dir, listening
 * on 127.0.0.1 only, run as the postgres user when the tests run as root
 * (initdb refuses root). The global setup starts one for the whole run; a
 * test that stops its database (test/security/database-faults.test.ts)
 * starts its own.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** The directory holding initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function findPostgresBinDir(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  if (onPath !== '' && existsSync(onPath.replace(/pg_ctl$/, 'initdb')))
    return onPath.replace(/\/pg_ctl$/, '');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = join(root, v, 'bin');
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/** initdb refuses to run as root: run the server binaries as the postgres user then. */
function asOwner(bin: string, args: string[]): [string, string[]] {
  const isRoot = process.getuid?.() === 0;
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/** Asynchronous, so that a test's requests keep being answered while pg_ctl waits. */
function runAsOwner(bin: string, args: string[]): Promise<void> {
  const [cmd, argv] = asOwner(bin, args);
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, (err, _stdout, stderr) =>
      err ? reject(new Error(`${bin} failed: ${stderr || err.message}`)) : resolve(),
    );
  });
}

export interface PostgresCluster {
  /** The `postgres` database as superuser, e.g. postgres://postgres@127.0.0.1:PORT/postgres. */
  url: string;
  port: number;
  /** Starts the cluster (again), on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** pg_ctl stop with the given shutdown mode; resolves once the server is gone. */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** Stops the cluster if running and removes its files. */
  destroy(): Promise<void>;
}

/** initdb + pg_ctl start on a fresh temp dir and a free port. */
export async function startPostgresCluster(binDir: string): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'gridkey-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const pgCtl = join(binDir, 'pg_ctl');
  let running = false;
  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await runAsOwner(pgCtl, [
        '-D',
        dataDir,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-t',
        '60',
        '-o',
        `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`,
        'start',
      ]);
      running = true;
    },
    async stop(mode = 'fast') {
      await runAsOwner(pgCtl, ['-D', dataDir, '-m', mode, '-w', 'stop']);
      running = false;
    },
    async destroy() {
      try {
        if (running) await cluster.stop('immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  try {
    await runAsOwner(join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    await cluster.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return cluster;
}
