/**
 * The database could not serve a request: no connection could be had
 * (unreachable, refusing connections, shutting down, out of connections, a
 * full pool past its wait), SQLite could not take its lock in time, or the
 * connection was lost or timed out while a statement ran. The HTTP edge
 * answers 503 with Retry-After, not 500: the request may be sent again.
 *
 * `outcomeUnknown` marks the one case where the database may have done what
 * was asked without the node hearing it: the connection was lost while a
 * COMMIT (or a write outside a transaction) was on its way. Everything else
 * was rolled back by PostgreSQL with the connection, or never started.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(
    cause: unknown,
    readonly outcomeUnknown = false,
  ) {
    super(`the database is unavailable: ${describeStoreError(cause)}`, { cause });
  }
}

/**
 * better-sqlite3: a lock not obtained within busy_timeout, a file that cannot
 * be opened, a full disk. Each fails the statement before anything is
 * written (a failed write rolls its transaction back).
 */
const SQLITE_CODES = /^SQLITE_(BUSY|CANTOPEN|FULL)(_|$)/;

/**
 * SQLSTATE classes and codes of a PostgreSQL that cannot serve: 08 connection
 * exception, 53 insufficient resources (too many connections, out of memory
 * or disk), 57P01–57P05 shut down or crashed (admin_shutdown, crash_shutdown,
 * cannot_connect_now, database_dropped, idle_session_timeout) and 57014 a
 * statement cancelled by statement_timeout. The server said so itself, so
 * the statement (and its transaction) did not take effect.
 */
const PG_SQLSTATES = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[1-5]|57014)$/;

/** Socket-level failures of a connection (node's net module). */
const SOCKET_CODES =
  /^(ECONNREFUSED|ECONNRESET|ECONNABORTED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/;

/** node-postgres and pg-pool messages for a connection lost or timed out (they carry no code). */
const PG_MESSAGES =
  /^(Connection terminated|Connection terminated unexpectedly|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Query read timeout|timeout exceeded when trying to connect|Connection terminated due to connection timeout)/;

/**
 * Whether a PostgreSQL driver error means the connection or the server
 * failed (as opposed to the statement: a constraint, a syntax error). Used
 * by the PostgreSQL store to wrap such errors in {@link StoreUnavailableError};
 * whether the statement may still have taken effect is the store's to say.
 */
export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isConnectionFailure);
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  if (e === null || e === undefined || typeof e !== 'object') return false;
  if (typeof e.code === 'string') return PG_SQLSTATES.test(e.code) || SOCKET_CODES.test(e.code);
  return typeof e.message === 'string' && PG_MESSAGES.test(e.message);
}

/**
 * Whether an error means the database could not serve. The PostgreSQL store
 * wraps its connection failures in {@link StoreUnavailableError}; a raw
 * driver error that reaches here unwrapped is left a server error.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && SQLITE_CODES.test(code);
}

/** One line for a driver error: its code and message (an AggregateError's first one). */
export function describeStoreError(err: unknown): string {
  const inner = err instanceof StoreUnavailableError ? err.cause : err;
  const e = (inner ?? {}) as { code?: string; message?: string; errors?: unknown[] };
  // AggregateError (IPv4 + IPv6 attempts) carries no message of its own.
  const message = e.message || (e.errors?.length ? String((e.errors[0] as Error).message) : '');
  return [e.code, message].filter(Boolean).join(' ') || 'unknown error';
}
