import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/helpers/ports.js';
import {
  describeStoreError,
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

  it('leaves everything else to be a server error, a connection lost mid-query included', () => {
    // Lost mid-query, a transaction may have committed: a retry could replay a spent token.
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
});
