import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { DEFAULTS } from '../../config/defaults.js';
import type { Database } from '../database.js';
import { KyselyStore } from '../kysely-store.js';
import { isConnectionFailure, StoreUnavailableError } from '../store-unavailable.js';

const INT8_OID = 20;

export interface PostgresStoreOptions {
  /** Connections in the pool (`dbMaxConnections`). */
  maxConnections?: number;
  /** Longest wait for a connection: opening one, or a free one when the pool is busy. */
  connectTimeoutMs?: number;
  /**
   * Longest a statement may run: PostgreSQL cancels it (statement_timeout),
   * and the node gives up on the connection `queryTimeoutMarginMs` later (a silent network).
   */
  statementTimeoutMs?: number;
  /** How long after the server should have cancelled a statement the node gives up on it. */
  queryTimeoutMarginMs?: number;
}

const BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const COMMIT = /^\s*(commit|end)\b/i;
// A plain ROLLBACK only: `rollback to savepoint` leaves the transaction open.
const ROLLBACK = /^\s*(rollback|abort)\s*;?\s*$/i;
/** Statements that write nothing, outside a transaction. */
const READ_ONLY = /^\s*(select|show)\b/i;

function newPool(url: string, options: PostgresStoreOptions, timeouts: boolean): pg.Pool {
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULTS.dbStatementTimeoutMs;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? DEFAULTS.dbMaxConnections,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULTS.dbConnectTimeoutMs,
    // A peer that vanished without closing (a cut network) is noticed.
    keepAlive: true,
    ...(timeouts && statementTimeoutMs > 0
      ? {
          statement_timeout: statementTimeoutMs,
          query_timeout:
            statementTimeoutMs + (options.queryTimeoutMarginMs ?? DEFAULTS.dbQueryTimeoutMarginMs),
        }
      : {}),
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
  return pool;
}

/**
 * One checkout of a pooled connection, as Kysely sees it. A connection or
 * server failure becomes a {@link StoreUnavailableError} (the HTTP edge
 * answers 503), telling whether the statement may have taken effect: only a
 * COMMIT, or a write outside a transaction, lost on its way. The connection
 * is then dropped from the pool instead of being reused.
 */
export function checkout(client: pg.PoolClient): PostgresPoolClient {
  let inTransaction = false;
  let failure: StoreUnavailableError | undefined;
  const classify = (sql: string, err: unknown): unknown => {
    if (err instanceof StoreUnavailableError) return err;
    if (!isConnectionFailure(err)) return err;
    // An error the server sent is its own answer: the statement did not take
    // effect. (A socket error such as EPIPE looks like a SQLSTATE but is not one.)
    const answered = err instanceof pg.DatabaseError;
    // A ROLLBACK writes nothing, whatever becomes of it; only an earlier
    // failure of the same checkout can leave the outcome unknown.
    const mayHaveWritten =
      !answered &&
      !ROLLBACK.test(sql) &&
      (COMMIT.test(sql) || (!inTransaction && !READ_ONLY.test(sql)));
    failure = new StoreUnavailableError(err, mayHaveWritten || failure?.outcomeUnknown === true);
    return failure;
  };
  const track = (sql: string) => {
    if (BEGIN.test(sql)) inTransaction = true;
    else if (COMMIT.test(sql) || ROLLBACK.test(sql)) inTransaction = false;
  };
  // pg-pool listens for errors only on idle clients: a connection lost
  // between two statements of a checkout (PostgreSQL shutting down while a
  // transaction runs its JavaScript) would otherwise be an unhandled 'error'
  // event, and end the process. The next statement then fails, unavailable.
  const onError = (err: unknown) => {
    failure ??= new StoreUnavailableError(err);
  };
  client.on('error', onError);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's overloads (text + parameters, or a cursor).
    query: ((sqlOrCursor: any, parameters?: ReadonlyArray<unknown>) => {
      if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor);
      const sql = sqlOrCursor;
      const wasInTransaction = inTransaction;
      track(sql);
      return client.query(sql, parameters as unknown[]).catch((err: unknown) => {
        // A failed COMMIT or BEGIN leaves no transaction open; a failed statement inside one does.
        if (!BEGIN.test(sql) && !COMMIT.test(sql) && !ROLLBACK.test(sql))
          inTransaction = wasInTransaction;
        throw classify(sql, err);
      });
    }) as PostgresPoolClient['query'],
    release: () => {
      client.removeListener('error', onError);
      client.release(failure);
    },
  };
}

/** A PostgreSQL store shared by any number of gridkey nodes. */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<KyselyStore> {
  // Migrations run on their own connection without statement timeouts: a
  // backfill over a large table may take longer than any request should.
  const migrator = new KyselyStore(
    new Kysely<Database>({ dialect: new PostgresDialect({ pool: newPool(url, options, false) }) }),
    'postgres',
  );
  try {
    await migrator.migrate();
  } finally {
    await migrator.close().catch(() => {});
  }
  const pool = newPool(url, options, true);
  // Not getting a connection is the database being unavailable, whatever the
  // reason (refused, timed out, not accepting connections, the pool full past
  // connectTimeoutMs): callers answer 503 and may retry, instead of 500.
  const connections: PostgresPool = {
    connect: () =>
      pool.connect().then(checkout, (err: unknown) => {
        throw new StoreUnavailableError(err);
      }),
    end: () => pool.end(),
  };
  return new KyselyStore(
    new Kysely<Database>({ dialect: new PostgresDialect({ pool: connections }) }),
    'postgres',
  );
}
