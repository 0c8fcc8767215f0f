import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { KyselyStore } from './kysely-store.js';
import type { PostgresStoreOptions } from './postgres/open-postgres.js';
import { describeStoreError } from './store-unavailable.js';

export const SQLITE_FILE = 'gridkey.db';

/** Where the data lives: `--db` (`sqlite:PATH` or `postgres://…`), else the data dir's SQLite file. */
export function resolveDatabaseUrl(options: { db?: string | undefined; dataDir: string }): string {
  return options.db ?? `sqlite:${join(options.dataDir, SQLITE_FILE)}`;
}

/**
 * Opens and migrates the store named by a database URL; `postgres` sizes the
 * pool and bounds waits on PostgreSQL, `sqlite` the wait for SQLite's lock.
 */
export async function openStore(
  url: string,
  options: { postgres?: PostgresStoreOptions; sqlite?: { busyTimeoutMs?: number } } = {},
): Promise<KyselyStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '')
      throw new UsageError('sqlite: URL needs a file path, e.g. sqlite:./gridkey.db');
    // Each dialect's driver is loaded only when it is used: a CLI command on
    // SQLite does not pay for pg, nor one on PostgreSQL for better-sqlite3.
    const { openSqliteStore } = await import('./sqlite/open-sqlite.js');
    return openSqliteStore(path, options.sqlite);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    try {
      const { openPostgresStore } = await import('./postgres/open-postgres.js');
      return await openPostgresStore(url, options.postgres);
    } catch (err) {
      throw new UsageError(`cannot open PostgreSQL database: ${describeStoreError(err)}`);
    }
  }
  throw new UsageError('database URL must start with sqlite: or postgres://');
}
