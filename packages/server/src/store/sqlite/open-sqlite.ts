import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../database.js';
import { KyselyStore } from '../kysely-store.js';

/**
 * The embedded store. WAL lets the CLI write while a server reads;
 * `synchronous = FULL` makes every acknowledged commit durable (WAL's
 * default, NORMAL, may lose the last commits on power loss).
 */
export async function openSqliteStore(path: string): Promise<KyselyStore> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const database = new SQLite(path);
  // Hashes and sealed keys are not for other users of the machine.
  chmodSync(path, 0o600);
  // Wait for other processes (a second node, the CLI) before anything else:
  // even switching to WAL needs a moment's exclusive access.
  database.pragma('busy_timeout = 5000');
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
