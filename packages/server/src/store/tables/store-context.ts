import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, Dialect } from '../database.js';

/** Advisory-lock ids for writes that must be serialised across PostgreSQL nodes. */
export const LOCKS = { revocations: 0x6b7901, signingKeys: 0x6b7902 } as const;

export interface StoreContext {
  db: Kysely<Database>;
  dialect: Dialect;
  /**
   * Serialises a transaction against others taking the same lock: on
   * PostgreSQL a transaction-scoped advisory lock; on SQLite the database's
   * single write lock, taken first.
   */
  serialise(trx: Transaction<Database>, lock: number): Promise<void>;
  /** The same, for one named thing (a refresh-token family): other names do not wait. */
  serialiseOn(trx: Transaction<Database>, name: string): Promise<void>;
}

export function storeContext(db: Kysely<Database>, dialect: Dialect): StoreContext {
  return {
    db,
    dialect,
    async serialise(trx, lock) {
      if (dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(${lock})`.execute(trx);
      } else {
        // SQLite: write first, so the transaction takes the write lock (waiting
        // busy_timeout for another process) before it reads anything; a read
        // snapshot upgraded to a write later fails with SQLITE_BUSY at once.
        await sql`update gridkey_meta set value = value where key = 'write-lock'`.execute(trx);
      }
    },
    async serialiseOn(trx, name) {
      if (dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
      }
    },
  };
}

export const spaceList = (value: string): string[] => (value === '' ? [] : value.split(' '));
export const toNumber = (value: number | null): number | null =>
  value === null ? null : Number(value);
