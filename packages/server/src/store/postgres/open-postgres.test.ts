import { EventEmitter } from 'node:events';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../store-unavailable.js';
import { checkout } from './open-postgres.js';

/** A pooled client whose statements fail as `fail` says; records what it was released with. */
function fakeClient(fail: (sql: string) => unknown) {
  const emitter = new EventEmitter();
  const released: unknown[] = [];
  const client = Object.assign(emitter, {
    query: (sql: string) => {
      const err = fail(sql);
      return err === undefined
        ? Promise.resolve({ command: 'SELECT', rowCount: 0, rows: [] })
        : Promise.reject(err);
    },
    release: (err?: unknown) => {
      released.push(err);
    },
  });
  return { client: client as unknown as pg.PoolClient, released, emitter };
}

const lost = () => new Error('Connection terminated unexpectedly');

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('a checked-out PostgreSQL connection', () => {
  it('calls a connection lost inside a transaction unavailable, with nothing written', async () => {
    const { client, released } = fakeClient((sql) =>
      sql.startsWith('update') ? lost() : undefined,
    );
    const c = checkout(client);
    await c.query('begin', []);
    const err = await thrown(c.query('update t set x = 1', []));
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as StoreUnavailableError).outcomeUnknown).toBe(false);
    c.release();
    // Dropped from the pool, not reused.
    expect(released[0]).toBeInstanceOf(StoreUnavailableError);
  });

  it('says the outcome is unknown for a COMMIT lost on its way, and keeps saying so', async () => {
    const { client } = fakeClient((sql) =>
      sql === 'commit' || sql === 'rollback' ? lost() : undefined,
    );
    const c = checkout(client);
    await c.query('begin', []);
    await c.query('insert into t values (1)', []);
    const commit = await thrown(c.query('commit', []));
    expect((commit as StoreUnavailableError).outcomeUnknown).toBe(true);
    // Kysely then rolls back, which fails too: the error it throws must still say so.
    const rollback = await thrown(c.query('rollback', []));
    expect((rollback as StoreUnavailableError).outcomeUnknown).toBe(true);
  });

  it('never takes a lost ROLLBACK for a write: inside a transaction, nothing was written', async () => {
    const { client } = fakeClient((sql) =>
      sql.startsWith('update') || sql === 'rollback' ? lost() : undefined,
    );
    const c = checkout(client);
    await c.query('begin', []);
    await thrown(c.query('update t set x = 1', []));
    // Kysely rolls back and throws the rollback's error in place of the first.
    const rollback = await thrown(c.query('rollback', []));
    expect(rollback).toBeInstanceOf(StoreUnavailableError);
    expect((rollback as StoreUnavailableError).outcomeUnknown).toBe(false);
  });

  it('takes a socket error on a COMMIT for an unknown outcome, though its code looks like a SQLSTATE', async () => {
    const pipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    const { client } = fakeClient((sql) => (sql === 'commit' ? pipe : undefined));
    const c = checkout(client);
    await c.query('begin', []);
    await c.query('insert into t values (1)', []);
    const err = await thrown(c.query('commit', []));
    expect((err as StoreUnavailableError).outcomeUnknown).toBe(true);
  });

  it('tells a lost write outside a transaction from a lost read', async () => {
    const { client } = fakeClient(() => lost());
    const c = checkout(client);
    expect(((await thrown(c.query('select 1', []))) as StoreUnavailableError).outcomeUnknown).toBe(
      false,
    );
    const { client: other } = fakeClient(() => lost());
    const d = checkout(other);
    expect(
      ((await thrown(d.query('insert into t values (1)', []))) as StoreUnavailableError)
        .outcomeUnknown,
    ).toBe(true);
  });

  it('takes a server-reported shutdown as nothing done, even for a COMMIT', async () => {
    const shutdown = Object.assign(
      new pg.DatabaseError('terminating connection due to administrator command', 0, 'error'),
      { code: '57P01' },
    );
    const { client } = fakeClient((sql) => (sql === 'commit' ? shutdown : undefined));
    const c = checkout(client);
    await c.query('begin', []);
    const err = await thrown(c.query('commit', []));
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as StoreUnavailableError).outcomeUnknown).toBe(false);
  });

  it('leaves statement errors alone and keeps the connection', async () => {
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    const { client, released } = fakeClient(() => unique);
    const c = checkout(client);
    expect(await thrown(c.query('insert into t values (1)', []))).toBe(unique);
    c.release();
    expect(released).toEqual([undefined]);
  });

  it('handles an error event between statements instead of crashing, and drops the connection', async () => {
    const { client, released, emitter } = fakeClient(() => undefined);
    const c = checkout(client);
    // No listener would make this throw (an unhandled 'error' event).
    emitter.emit('error', lost());
    c.release();
    expect(released[0]).toBeInstanceOf(StoreUnavailableError);
    expect(emitter.listenerCount('error')).toBe(0);
  });
});
