import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/helpers/ports.js';
import {
  describeStoreError,
  isConnectionFailure,
  isStoreUnavailable,
  StoreUnavailableError,
} from './store-unavailable.js';

/** Runs `f` and returns what it threw (sync or async). */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('isStoreUnavailable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridkey-unavailable-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the cause of a connection that could not be had', async () => {
    const port = await freePort();
    const client = new pg.Client({ host: '127.0.0.1', port, connectionTimeoutMillis: 2000 });
    const refused = new StoreUnavailableError(await thrown(() => client.connect()));
    expect(isStoreUnavailable(refused)).toBe(true);
    expect(describeStoreError(refused)).toMatch(/^ECONNREFUSED /);
  });

  it('recognises an SQLite database locked past its busy timeout, not a constraint violation', async () => {
    const file = join(dir, 'locked.db');
    const holder = new Database(file);
    const waiter = new Database(file, { timeout: 0 });
    try {
      holder.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      holder.exec('BEGIN IMMEDIATE');
      const busy = await thrown(() => waiter.exec('BEGIN IMMEDIATE'));
      expect((busy as { code?: string }).code).toBe('SQLITE_BUSY');
      expect(isStoreUnavailable(busy)).toBe(true);
      holder.exec('INSERT INTO t (id) VALUES (1)');
      const duplicate = await thrown(() => holder.exec('INSERT INTO t (id) VALUES (1)'));
      expect(isStoreUnavailable(duplicate)).toBe(false);
      holder.exec('ROLLBACK');
    } finally {
      waiter.close();
      holder.close();
    }
  });

  it('leaves raw driver errors to be server errors: the PostgreSQL store wraps its own', () => {
    // open-postgres.ts wraps a lost connection in StoreUnavailableError (and
    // says whether a COMMIT may have gone through); unwrapped, it is a bug.
    expect(isStoreUnavailable(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isStoreUnavailable(Object.assign(new Error('terminating'), { code: '57P01' }))).toBe(
      false,
    );
    expect(isStoreUnavailable(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))).toBe(
      false,
    );
    expect(isStoreUnavailable(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(false);
    expect(isStoreUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isStoreUnavailable(undefined)).toBe(false);
    expect(isStoreUnavailable('SQLITE_BUSY')).toBe(false);
  });

  it('tells a connection or server failure from a failed statement', () => {
    const withCode = (code: string) => Object.assign(new Error(code), { code });
    for (const failure of [
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('Query read timeout'),
      new Error('timeout exceeded when trying to connect'),
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('57P01'), // admin_shutdown: pg_ctl stop -m fast
      withCode('57P02'), // crash_shutdown: pg_ctl stop -m immediate
      withCode('57P03'), // cannot_connect_now: starting up or shutting down
      withCode('57014'), // statement_timeout
      withCode('53300'), // too_many_connections
      withCode('08006'),
      new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]),
    ]) {
      expect(isConnectionFailure(failure), String(failure.message)).toBe(true);
    }
    for (const statement of [
      withCode('23505'), // unique_violation
      withCode('40001'), // serialization_failure
      withCode('42601'),
      new TypeError('x is undefined'),
      undefined,
      'Connection terminated',
    ]) {
      expect(isConnectionFailure(statement)).toBe(false);
    }
  });
});
