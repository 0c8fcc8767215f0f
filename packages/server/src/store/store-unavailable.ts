/**
 * The database cannot serve right now (unreachable, shutting down, out of
 * connections, locked past the busy timeout): the same request may succeed
 * when retried, so the HTTP edge answers 503 rather than 500.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(cause: unknown) {
    super(`the database is unavailable: ${describeStoreError(cause)}`, { cause });
  }
}

/** Socket errors on the way to a database server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01–57P03
 * (administrator or crash shutdown, cannot connect now), 53300 (too many
 * connections).
 */
const POSTGRES_STATES = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;
/** node-postgres reports a lost connection or a pool timeout without a code. */
const POSTGRES_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
]);
/** better-sqlite3: a lock held past busy_timeout, an I/O failure, a full disk, an unopenable file. */
const SQLITE_CODES = /^SQLITE_(BUSY|IOERR|FULL|CANTOPEN)/;

/** Whether an error means the database is unavailable rather than the request or the code being wrong. */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || POSTGRES_STATES.test(code) || SQLITE_CODES.test(code)) {
      return true;
    }
  }
  return typeof message === 'string' && POSTGRES_MESSAGES.has(message);
}

/** One line for a driver error: its code and message (an AggregateError's first one). */
export function describeStoreError(err: unknown): string {
  const inner = err instanceof StoreUnavailableError ? err.cause : err;
  const e = (inner ?? {}) as { code?: string; message?: string; errors?: unknown[] };
  // AggregateError (IPv4 + IPv6 attempts) carries no message of its own.
  const message = e.message || (e.errors?.length ? String((e.errors[0] as Error).message) : '');
  return [e.code, message].filter(Boolean).join(' ') || 'unknown error';
}
