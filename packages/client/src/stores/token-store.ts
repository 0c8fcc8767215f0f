/**
 * What a shared token store holds for one key: the refresh token of a
 * password login, the newest access token obtained with it, and a lease that
 * tells other processes one of them is renewing right now. The password is
 * never part of it.
 *
 * Times are wall-clock milliseconds (`Date.now()`), since they are compared
 * by other processes; a process converts them to its own monotonic clock.
 *
 * @example
 * ```ts
 * import type { StoredTokens } from '@gridkey/client/stores';
 * const empty: StoredTokens = {};
 * ```
 */
export interface StoredTokens {
  /** The refresh token to present next (RFC 6749 §6); rotated on every use. */
  refreshToken?: string;
  /** The newest access token, shared so that other processes need not renew. */
  accessToken?: string;
  /** When the access token was requested, in wall-clock ms. */
  issuedAt?: number;
  /** The access token's lifetime in ms, from `expires_in` or the JWT. */
  lifetimeMs?: number;
  /** A process renewing now; the others wait for it until `until` (wall-clock ms). */
  lease?: { owner: string; until: number };
}

/**
 * One record of a {@link TokenStore} and its version. Versions start at 1 and
 * grow by one on every write; an absent record is version 0.
 *
 * @example
 * ```ts
 * import type { StoredRecord } from '@gridkey/client/stores';
 * const record: StoredRecord = { version: 1, data: { refreshToken: 'r1' } };
 * ```
 */
export interface StoredRecord {
  version: number;
  data: StoredTokens;
}

/**
 * Where refresh tokens are kept between renewals and shared between the
 * processes of one application. Implementations must make
 * `compareAndSwap` atomic across every process sharing the store: that is
 * what lets only one of them present a refresh token, so that rotation
 * never looks like reuse to the server (RFC 9700 §4.14.2).
 *
 * A store must treat `data` as opaque JSON and may keep it in plain text, so
 * it belongs where only the application's user can read it.
 *
 * @example
 * ```ts
 * import type { StoredRecord, StoredTokens, TokenStore } from '@gridkey/client/stores';
 *
 * // A store over any database with a conditional update:
 * class SqlTokenStore implements TokenStore {
 *   async load(key: string): Promise<StoredRecord | undefined> {
 *     const row = await db.get('select version, data from tokens where key = ?', key);
 *     return row && { version: row.version, data: JSON.parse(row.data) };
 *   }
 *   async compareAndSwap(key: string, expected: number, data: StoredTokens) {
 *     return db.conditionalWrite(key, expected, JSON.stringify(data));
 *   }
 * }
 * ```
 */
export interface TokenStore {
  /** The record under `key`, or undefined when there is none. */
  load(key: string): Promise<StoredRecord | undefined>;
  /**
   * Writes `data` as version `expected + 1` if, and only if, the record's
   * version is still `expected` (0: no record). Resolves to whether it
   * wrote. Records are never deleted (an emptied one is `{}`), so that a
   * version is never reused (no ABA).
   */
  compareAndSwap(key: string, expected: number, data: StoredTokens): Promise<boolean>;
}

/**
 * A {@link TokenStore} in this process's memory: the default of the password
 * flow. It is lost when the process ends, so every start logs in again.
 *
 * @example
 * ```ts
 * import { TokenClient } from '@gridkey/client';
 * import { MemoryTokenStore } from '@gridkey/client/stores';
 *
 * const store = new MemoryTokenStore();
 * const client = TokenClient.password({ tokenUrl, clientId, clientSecret, username, password, store });
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  readonly #records = new Map<string, StoredRecord>();

  /**
   * A copy of the record under `key`.
   *
   * @example
   * ```ts
   * const record = await new MemoryTokenStore().load('k'); // undefined
   * ```
   */
  async load(key: string): Promise<StoredRecord | undefined> {
    const record = this.#records.get(key);
    return record === undefined ? undefined : structuredClone(record);
  }

  /**
   * Writes a copy of `data` as version `expected + 1` if the record is still at `expected`.
   *
   * @example
   * ```ts
   * const store = new MemoryTokenStore();
   * await store.compareAndSwap('k', 0, { refreshToken: 'r1' }); // true
   * await store.compareAndSwap('k', 0, { refreshToken: 'r2' }); // false: now at version 1
   * ```
   */
  async compareAndSwap(key: string, expected: number, data: StoredTokens): Promise<boolean> {
    const version = this.#records.get(key)?.version ?? 0;
    if (version !== expected) return false;
    this.#records.set(key, { version: version + 1, data: structuredClone(data) });
    return true;
  }
}
