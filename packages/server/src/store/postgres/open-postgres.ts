import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import type { Database } from '../database.js';
import { KyselyStore } from '../kysely-store.js';
import { StoreUnavailableError } from '../store-unavailable.js';

const INT8_OID = 20;

/** A PostgreSQL store shared by any number of gridkey nodes. */
export async function openPostgresStore(
  url: string,
  options: { maxConnections?: number; connectTimeoutMs?: number } = {},
): Promise<KyselyStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // Unix-second bigints fit a JS number; pg would hand them over as strings.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => {});
  // Not getting a connection is the database being unavailable, whatever the
  // reason (refused, timed out, not accepting connections): callers answer
  // 503 and may retry, instead of 500.
  const connections: PostgresPool = {
    connect: () =>
      pool.connect().catch((err: unknown) => {
        throw new StoreUnavailableError(err);
      }),
    end: () => pool.end(),
  };
  const store = new KyselyStore(
    new Kysely<Database>({ dialect: new PostgresDialect({ pool: connections }) }),
    'postgres',
  );
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}
