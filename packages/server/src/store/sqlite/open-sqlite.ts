import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { DEFAULTS } from '../../config/defaults.js';
import type { Database } from '../database.js';
import { KyselyStore } from '../kysely-store.js';

/**
 * The embedded store. WAL lets the CLI write while a server reads;
 * `synchronous = FULL` makes every acknowledged commit durable (WAL's
 * default, NORMAL, may lose the last commits on power loss). A statement
 * waits up to `busyTimeoutMs` for another process's lock before it fails
 * with SQLITE_BUSY (a 503).
 */
export async function openSqliteStore(
  path: string,
  options: { busyTimeoutMs?: number } = {},
): Promise<KyselyStore> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const database = new SQLite(path);
  // Hashes and sealed keys are not for other users of the machine.
  chmodSync(path, 0o600);
  // Wait for other processes (a second node, the CLI) before anything else:
  // even switching to WAL needs a moment's exclusive access.
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULTS.sqliteBusyTimeoutMs;
  database.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  const store = new KyselyStore(
    new Kysely<Database>({ dialect: new SqliteDialect({ database }) }),
    'sqlite',
  );
  await store.migrate();
  return store;
}
