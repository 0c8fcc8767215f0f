/**
 * The database could not be asked at all: no connection could be had
 * (unreachable, refusing connections, shutting down, out of connections) or
 * SQLite could not take its lock in time. Nothing was changed, so the same
 * request may simply be sent again: the HTTP edge answers 503, not 500.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(cause: unknown) {
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
 * Whether an error means the database could not serve, with nothing done.
 *
 * A connection lost in the middle of a query is deliberately not one: the
 * transaction may have committed (a refresh token rotated), and a retry
 * invited by a 503 would then replay a spent token. Those stay 500.
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
