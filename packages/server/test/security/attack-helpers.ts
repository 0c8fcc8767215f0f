import { sql } from 'kysely';
import { expect } from 'vitest';
import type { TestServer } from '../../../../test/helpers/test-server.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';

/**
 * Budgets raised far above what the attack suites spend, so that every case
 * gets its own answer and not a 429 earned by the cases before it.
 */
export const GENEROUS_LIMITS = {
  clientAuthFailuresPerMinute: 100_000,
  clientAuthFailuresPerAddressPerMinute: 100_000,
  clientTokensPerMinute: 100_000,
  loginExchangeFailuresPerMinute: 100_000,
  loginExchangeSuccessesPerMinute: 100_000,
  passwordFailuresPerAddress: 100_000,
  passwordFailuresPerUsername: 100_000,
  passwordFailuresPerUsernamePerAddress: 100_000,
  refreshGrantsPerUserPerMinute: 100_000,
  // A cheap KDF: the attack suites are about what is accepted, not its cost.
  passwordScryptLogN: 10,
} as const;

/** Informational columns a successful setup request may still be writing. */
const VOLATILE_COLUMNS = new Set(['last_used_at']);

/**
 * Rows that record an attempt rather than change what is stored: the usage
 * counters (issue 15 counts refused token requests by reason) and the audit
 * entry of a refused or failed action. A refused request may add these and
 * nothing else.
 */
const RECORDS_OF_ATTEMPTS: Record<string, (row: Record<string, unknown>) => boolean> = {
  usage_counts: () => true,
  audit_log: (row) => row.outcome !== undefined && row.outcome !== 'ok',
};

/**
 * Every row of every table (the migrator's own and the records of attempts
 * aside), as sorted JSON lines per table: two snapshots are equal only when
 * nothing was stored, changed or deleted.
 */
export async function snapshot(server: TestServer): Promise<Record<string, string[]>> {
  const db = (server.gk.store as unknown as KyselyStore).db;
  const tables = (await db.introspection.getTables())
    .map((t) => t.name)
    .filter((name) => !name.startsWith('kysely_'))
    .sort();
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db))
      .rows;
    const isRecordOfAttempt = RECORDS_OF_ATTEMPTS[table];
    out[table] = rows
      .filter((row) => isRecordOfAttempt === undefined || !isRecordOfAttempt(row))
      .map((row) =>
        JSON.stringify(
          Object.fromEntries(
            Object.entries(row)
              .filter(([k]) => !VOLATILE_COLUMNS.has(k))
              .map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v]),
          ),
        ),
      )
      .sort();
  }
  return out;
}

/** Row counts per table, for messages that say what changed. */
export const rowCounts = (snap: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(snap).map(([t, rows]) => [t, rows.length]));

/** Asserts that the database is exactly as `before`. */
export async function expectUnchanged(
  server: TestServer,
  before: Record<string, string[]>,
  label = '',
): Promise<void> {
  const after = await snapshot(server);
  expect(rowCounts(after), `row counts ${label}`).toEqual(rowCounts(before));
  expect(after, `rows ${label}`).toEqual(before);
}

const STACK = /\n\s+at\s|\bat [\w.<>]+ \(.*:\d+:\d+\)|node:internal|\/src\/|\.ts:\d+/;
const SQL =
  /\b(select\s.+\sfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|sqlite_?|SQLITE_|syntax error|relation "|duplicate key value|violates .* constraint|pg_)\b/i;

/**
 * Asserts that a text the attacker (response) or an operator (logs) sees
 * holds none of the given secrets, no stack trace and no SQL.
 */
export function expectNoLeak(text: string, secrets: readonly string[], label = ''): void {
  for (const secret of secrets) {
    if (secret.length >= 8) expect(text.includes(secret), `${label}: leaks a secret`).toBe(false);
  }
  expect(text, `${label}: stack trace`).not.toMatch(STACK);
  expect(text, `${label}: SQL`).not.toMatch(SQL);
}

/** A response's status, headers, text and JSON (if any). */
export async function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
) {
  const res = await fetch(url, {
    method: init.method ?? 'POST',
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
