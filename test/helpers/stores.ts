import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database } from '../../packages/server/src/store/database.js';

export interface StoreTarget {
  kind: 'sqlite' | 'postgres';
  /** A fresh, empty database URL and data dir; `cleanup` removes them. */
  create(): Promise<{ dbUrl: string; dataDir: string; cleanup(): Promise<void> }>;
}

const sqlite: StoreTarget = {
  kind: 'sqlite',
  async create() {
    const dataDir = mkdtempSync(join(tmpdir(), 'gridkey-test-'));
    return {
      dbUrl: `sqlite:${join(dataDir, 'gridkey.db')}`,
      dataDir,
      async cleanup() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

function postgres(adminUrl: string): StoreTarget {
  return {
    kind: 'postgres',
    async create() {
      const name = `gk_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const dataDir = mkdtempSync(join(tmpdir(), 'gridkey-test-'));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        dbUrl: url.toString(),
        dataDir,
        async cleanup() {
          rmSync(dataDir, { recursive: true, force: true });
          const c = new pg.Client({ connectionString: adminUrl });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        },
      };
    },
  };
}

/** The SQLite target alone, for tests about behaviour rather than storage. */
export const sqliteTarget = (): StoreTarget => sqlite;

/** SQLite always; PostgreSQL when the global setup started a cluster. */
export function storeTargets(): StoreTarget[] {
  const url = inject('postgresUrl');
  return url === undefined ? [sqlite] : [sqlite, postgres(url)];
}

export const postgresUrl = (): string | undefined => inject('postgresUrl');

/**
 * A fresh database of the target's kind, opened bare (no migrations run), for
 * migration tests. `cleanup` closes the connection pool before it drops the
 * database (closing twice is harmless): a PostgreSQL `DROP ... WITH (FORCE)`
 * under an open pool terminates its idle connections, and the pool reports
 * that as an unhandled error that fails the run.
 */
export async function openBareDatabase(target: StoreTarget) {
  const created = await target.create();
  const dialect =
    target.kind === 'sqlite'
      ? new SqliteDialect({ database: new SQLite(created.dbUrl.slice('sqlite:'.length)) })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: created.dbUrl, max: 2 }) });
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    async cleanup() {
      await db.destroy();
      await created.cleanup();
    },
  };
}
