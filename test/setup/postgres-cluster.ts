/**
 * Starts one throwaway PostgreSQL cluster for the whole test run: initdb and
 * pg_ctl on a temp dir, listening on 127.0.0.1 only, removed afterwards.
 * Test files each create their own database in it (see helpers/stores.ts).
 *
 * Without PostgreSQL binaries the PostgreSQL tests are skipped with a loud
 * message, except under CI=true, where that is a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../helpers/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
  }
}

function findBinDir(): string | undefined {
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
function runAsOwner(bin: string, args: string[]) {
  const isRoot = process.getuid?.() === 0;
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

export default async function setup(project: TestProject) {
  const binDir = findBinDir();
  if (binDir === undefined) {
    if (process.env.CI === 'true') {
      throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found, and CI=true requires them');
    }
    console.warn(
      '\n!!! PostgreSQL not found: the PostgreSQL store tests are SKIPPED. Install postgresql to run them.\n',
    );
    project.provide('postgresUrl', undefined);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gridkey-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const dataDir = join(dir, 'data');
  const port = await freePort();
  runAsOwner(join(binDir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  runAsOwner(join(binDir, 'pg_ctl'), [
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
  project.provide('postgresUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      runAsOwner(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
