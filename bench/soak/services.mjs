// The soak's shared services: one throwaway PostgreSQL cluster (initdb + pg_ctl on a temp dir,
// as test/setup/postgres-cluster.ts does) and one redis-server, both on 127.0.0.1 only, and the
// harness's own connection to the database. Each start function returns an object whose stop()
// ends the service and removes its files; stop() is also registered for Ctrl-C, and a
// synchronous last resort runs on process exit.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { importDependency } from '../lib/config.mjs';
import { findFreePort, onInterrupt } from '../lib/processes.mjs';

const isRoot = process.getuid?.() === 0;

function findPostgresBinDir() {
  const onPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  if (onPath !== '' && existsSync(onPath.replace(/pg_ctl$/, 'initdb'))) {
    return onPath.replace(/\/pg_ctl$/, '');
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = join(root, version, 'bin');
      if (existsSync(join(dir, 'pg_ctl'))) return dir;
    }
  }
  throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found; install postgresql');
}

// initdb refuses to run as root: run the server binaries as the postgres user then.
function ownerCommand(bin, args) {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

// Runs a command to completion in its own process group, so Ctrl-C in the terminal reaches only
// the harness (pg_ctl start leaves the postmaster in the group it was started in).
function runDetached(bin, args) {
  const [command, argv] = ownerCommand(bin, args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${bin} exited ${code}: ${output.trim().slice(-500)}`)),
    );
  });
}

export async function startPostgres() {
  const binDir = findPostgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'gridkey-soak-pg-'));
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const dataDir = join(dir, 'data');
  const pgCtl = join(binDir, 'pg_ctl');
  let started = false;
  let stopping;
  let done = false;
  const stopArgs = ['-D', dataDir, '-m', 'fast', '-w', '-t', '20', 'stop'];
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const stop = () => {
    stopping ??= (async () => {
      try {
        if (started) await runDetached(pgCtl, stopArgs);
      } catch {
        // Already down.
      } finally {
        removeDir();
        done = true;
      }
    })();
    return stopping;
  };
  onInterrupt(stop);
  // Last resort, also when the harness dies in the middle of stop(): synchronous, no grace.
  process.once('exit', () => {
    if (done) return;
    const [command, argv] = ownerCommand(pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop']);
    if (started) spawnSync(command, argv, { stdio: 'ignore' });
    removeDir();
  });
  try {
    const port = await findFreePort();
    await runDetached(join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    started = true;
    await runDetached(pgCtl, [
      '-D',
      dataDir,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      // fsync off as in the tests: the soak is about leaks and growth, not disk flushes.
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=100`,
      'start',
    ]);
    return { url: `postgres://postgres@127.0.0.1:${port}`, logPath: join(dir, 'server.log'), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function redisAnswers(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export async function startRedis() {
  const port = await findFreePort();
  const child = spawn(
    'redis-server',
    ['--port', `${port}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore', detached: true },
  );
  let spawnError;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null || spawnError;
  const stop = async () => {
    if (exited()) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  };
  onInterrupt(stop);
  process.once('exit', () => {
    if (!exited()) child.kill('SIGKILL');
  });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (exited()) {
      throw new Error(`redis-server did not start (${spawnError?.message ?? child.exitCode})`);
    }
    if (await redisAnswers(port)) return { url: `redis://127.0.0.1:${port}`, pid: child.pid, stop };
    await sleep(50);
  }
  await stop();
  throw new Error('redis-server did not answer within 5 s');
}

/** A connection of its own to PostgreSQL, for setup and the size queries. */
export async function connectDatabase(url) {
  const { default: pg } = await importDependency('pg');
  const client = new pg.Client({ connectionString: url });
  // PostgreSQL going away (e.g. stopped on Ctrl-C) must not crash the harness: the next query
  // fails instead, and the sample shows the size as unknown.
  client.on('error', () => {});
  await client.connect();
  return {
    query: (text) => client.query(text),
    async bytes() {
      const { rows } = await client.query(
        'SELECT pg_database_size(current_database())::bigint AS size',
      );
      return Number(rows[0].size);
    },
    /** Each table's size (with indexes and TOAST) and exact row count. */
    async tables() {
      const { rows } = await client.query(
        `SELECT relname AS name, pg_total_relation_size(relid)::bigint AS bytes
           FROM pg_stat_user_tables ORDER BY relname`,
      );
      const result = {};
      for (const row of rows) {
        const counted = await client.query(`SELECT count(*)::bigint AS n FROM "${row.name}"`);
        result[row.name] = { bytes: Number(row.bytes), rows: Number(counted.rows[0].n) };
      }
      return result;
    },
    close: () => client.end(),
  };
}
