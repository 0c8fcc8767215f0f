import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredRecord, StoredTokens, TokenStore } from './token-store.js';

/**
 * Options of a {@link FileTokenStore}.
 *
 * @example
 * ```ts
 * import type { FileTokenStoreOptions } from '@gridkey/client/stores';
 * const options: FileTokenStoreOptions = { lockTimeoutMs: 2_000, staleLockMs: 30_000 };
 * ```
 */
export interface FileTokenStoreOptions {
  /**
   * How long `compareAndSwap` waits for another process's lock before it
   * rejects, in ms. Default 15000: longer than `staleLockMs`, so that a
   * lock left by a crashed process is broken rather than waited out.
   */
  lockTimeoutMs?: number;
  /**
   * How old (by mtime) a lock must be to count as left behind by a crashed
   * process and be removed, in ms. A lock is held for a few milliseconds, so
   * keep this far above that. Default 10000.
   */
  staleLockMs?: number;
}

/** The whole file: every record of the store, under a format version. */
interface StoreFile {
  version: 1;
  records: Record<string, StoredRecord>;
}

const FORMAT_VERSION = 1;
const DEFAULT_LOCK_TIMEOUT_MS = 15_000;
const DEFAULT_STALE_LOCK_MS = 10_000;

/**
 * A {@link TokenStore} in one JSON file, shared by every process of the
 * application on this machine (and of its user: the file is created with
 * mode 0600, readable by that user only, since it holds refresh tokens in
 * plain text). The directory must exist; the file is created on the first
 * write.
 *
 * `load` never waits: the file is only ever replaced whole, by a rename, so
 * a reader sees the old or the new file and never half of one.
 * `compareAndSwap` takes a lock (`<path>.lock`) around its read-compare-write,
 * which makes it atomic across processes. The file must be on a local file
 * system (a lock on a network file system is only as good as its `mkdir`).
 *
 * @example
 * ```ts
 * import { TokenClient } from '@gridkey/client';
 * import { FileTokenStore } from '@gridkey/client/stores';
 *
 * // Every worker of the application shares one login, and survives restarts.
 * const store = new FileTokenStore('/var/lib/my-app/gridkey-tokens.json');
 * const client = TokenClient.password({ tokenUrl, clientId, clientSecret, username, password, store });
 * ```
 */
export class FileTokenStore implements TokenStore {
  /** The store's file, made absolute when constructed (a later `chdir` does not move it). */
  readonly path: string;
  readonly #lockPath: string;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;

  constructor(path: string, options: FileTokenStoreOptions = {}) {
    if (typeof path !== 'string' || path === '') {
      throw new TypeError('FileTokenStore: path must be a non-empty string');
    }
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('FileTokenStore: options must be an object');
    }
    this.path = resolve(path);
    this.#lockPath = `${this.path}.lock`;
    this.#lockTimeoutMs = positive('lockTimeoutMs', options.lockTimeoutMs, DEFAULT_LOCK_TIMEOUT_MS);
    this.#staleLockMs = positive('staleLockMs', options.staleLockMs, DEFAULT_STALE_LOCK_MS);
  }

  /**
   * The record under `key`, read without the lock: the file is only ever
   * replaced whole (rename), so a reader sees the old file or the new one.
   *
   * @example
   * ```ts
   * const record = await new FileTokenStore('/var/lib/my-app/tokens.json').load('fleet');
   * console.log(record?.version);
   * ```
   */
  async load(key: string): Promise<StoredRecord | undefined> {
    checkKey(key);
    const records = await this.#read();
    return Object.hasOwn(records, key) ? records[key] : undefined;
  }

  /**
   * Writes `data` as version `expected + 1` if the record is still at
   * `expected`, under the lock, by a synced temp file (0600) renamed over
   * the store file.
   *
   * @example
   * ```ts
   * const store = new FileTokenStore('/var/lib/my-app/tokens.json');
   * const current = await store.load('fleet');
   * const wrote = await store.compareAndSwap('fleet', current?.version ?? 0, { refreshToken: next });
   * ```
   */
  async compareAndSwap(key: string, expected: number, data: StoredTokens): Promise<boolean> {
    checkKey(key);
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw new TypeError('FileTokenStore: expected must be a version, an integer >= 0');
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new TypeError('FileTokenStore: data must be an object');
    }
    await this.#lock();
    try {
      // Read again under the lock: what `load` returned to the caller may
      // already have been replaced by another process.
      const records = await this.#read();
      const version = Object.hasOwn(records, key) ? (records[key]?.version ?? 0) : 0;
      if (version !== expected) return false;
      // Through JSON, as it will be read back: a caller mutating `data`
      // afterwards changes nothing, and what cannot be stored fails here.
      records[key] = { version: expected + 1, data: JSON.parse(JSON.stringify(data)) };
      await this.#write({ version: FORMAT_VERSION, records });
      return true;
    } finally {
      await this.#unlock();
    }
  }

  /** Every record in the file; none when there is no file yet. */
  async #read(): Promise<Record<string, StoredRecord>> {
    let text: string;
    try {
      // O_NOFOLLOW: a symlink planted at the path is refused, not followed.
      const handle = await open(this.path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        this.#checkPrivate(await handle.stat());
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (code(error) === 'ENOENT') {
        await this.#checkDirectory();
        return Object.create(null);
      }
      if (error instanceof Error && error.message.startsWith('FileTokenStore:')) throw error;
      // A file system error names the path, never the content: safe as a cause.
      throw new Error(`FileTokenStore: cannot read ${this.path} (${code(error)})`, {
        cause: error,
      });
    }
    // The file holds tokens: no message or cause below may quote it, and
    // JSON.parse's messages do quote the text around the fault.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.#corrupt('it is not valid JSON');
    }
    return this.#records(parsed);
  }

  /**
   * Only a file of this user that no one else can read or write is trusted:
   * in a shared directory, a file planted by another user would feed this
   * process its refresh tokens, or read the ones written into it.
   */
  #checkPrivate(stats: { uid: number; mode: number; isFile(): boolean }): void {
    if (!stats.isFile()) throw new Error(`FileTokenStore: ${this.path} is not a regular file`);
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) {
      throw new Error(`FileTokenStore: ${this.path} belongs to another user; refusing to use it`);
    }
    if ((stats.mode & 0o077) !== 0) {
      throw new Error(
        `FileTokenStore: ${this.path} is open to other users (mode ${(stats.mode & 0o777).toString(8)}); it must be 0600`,
      );
    }
  }

  /** The records of a parsed file, checked, in an object with no prototype (a key may be `__proto__`). */
  #records(parsed: unknown): Record<string, StoredRecord> {
    if (!isObject(parsed) || !isObject(parsed.records)) {
      throw this.#corrupt('it is not a token store file');
    }
    if (parsed.version !== FORMAT_VERSION) {
      throw this.#corrupt(`its format version is not ${FORMAT_VERSION}`);
    }
    const records: Record<string, StoredRecord> = Object.create(null);
    for (const [key, record] of Object.entries(parsed.records)) {
      if (
        !isObject(record) ||
        !Number.isSafeInteger(record.version) ||
        (record.version as number) < 1 ||
        !isObject(record.data)
      ) {
        throw this.#corrupt('it holds a malformed record');
      }
      records[key] = { version: record.version as number, data: record.data as StoredTokens };
    }
    return records;
  }

  #corrupt(why: string): Error {
    return new Error(`FileTokenStore: ${this.path} is corrupt: ${why}`);
  }

  /** A missing directory is a setup mistake: say so instead of "no records". */
  async #checkDirectory(): Promise<void> {
    const directory = dirname(this.path);
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(directory)).isDirectory();
    } catch (error) {
      throw new Error(
        `FileTokenStore: the directory of ${this.path} is not usable (${code(error)}); create it first`,
        { cause: error },
      );
    }
    if (!isDirectory) {
      throw new Error(`FileTokenStore: the directory of ${this.path} is not a directory`);
    }
  }

  /**
   * Replaces the file whole. The temporary file is in the same directory, so
   * that the rename is atomic (same file system), and created with mode 0600
   * and 'wx' (never someone else's file, never readable by others even for a
   * moment); the rename carries that mode over to the store's file. fsync
   * before the rename: otherwise a crash may leave a renamed but empty file,
   * losing a refresh token the server has already rotated.
   */
  async #write(file: StoreFile): Promise<void> {
    const temporary = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        // The umask can only clear bits of 0600; set them exactly anyway.
        await handle.chmod(0o600);
        await handle.writeFile(`${JSON.stringify(file)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw new Error(`FileTokenStore: cannot write ${this.path} (${code(error)})`, {
        cause: error,
      });
    }
    // Make the rename itself durable. Best effort: some platforms (Windows)
    // cannot open a directory, and the new file is in place already.
    try {
      const directory = await open(dirname(this.path), 'r');
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
    } catch {
      // Durability of the rename only; nothing to undo.
    }
  }

  /**
   * Takes the lock: a directory created with `mkdir`, which either creates it
   * or fails with EEXIST, atomically, on every platform and local file
   * system. A directory rather than a file opened with 'wx', since there is
   * nothing to write into it (staleness is judged by its mtime, not by a pid,
   * which would mean nothing across containers or machines), so it can
   * never be seen half written.
   */
  async #lock(): Promise<void> {
    const deadline = performance.now() + this.#lockTimeoutMs;
    for (;;) {
      try {
        await mkdir(this.#lockPath, { mode: 0o700 });
        return;
      } catch (error) {
        if (code(error) === 'ENOENT') await this.#checkDirectory();
        if (code(error) !== 'EEXIST') {
          throw new Error(
            `FileTokenStore: cannot create the lock ${this.#lockPath} (${code(error)})`,
            { cause: error },
          );
        }
      }
      if (await this.#breakStaleLock()) continue;
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new Error(
          `FileTokenStore: the lock ${this.#lockPath} could not be taken within ${this.#lockTimeoutMs} ms: ` +
            `another process holds it (if none does, remove it; it is removed by itself once older than ${this.#staleLockMs} ms)`,
        );
      }
      // Short and random, so that waiting processes do not retry in step.
      await sleep(Math.min(left, 5 + Math.random() * 15));
    }
  }

  /**
   * Removes the lock if it is older than `staleLockMs`: its holder crashed
   * (a lock lives a few milliseconds, from mkdir to rmdir). Whether to try
   * again at once.
   *
   * There is a small race: two processes may both find the same stale lock,
   * the first removes it and takes a new one, and the second then removes
   * that new one, so both hold it. It needs a crash that left a lock, then two
   * processes breaking it within the microseconds between the second one's
   * stat and rm. It is acceptable because a lock is held for milliseconds
   * against a threshold of seconds: a live lock is taken as stale only if
   * its holder stalls longer than `staleLockMs` (a suspended machine). Doing
   * without the race needs a kernel lock (flock), which Node does not offer
   * without a native dependency.
   */
  async #breakStaleLock(): Promise<boolean> {
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(this.#lockPath)).mtimeMs;
    } catch (error) {
      // Released between our mkdir and this stat: try again at once.
      if (code(error) === 'ENOENT') return true;
      throw new Error(
        `FileTokenStore: cannot inspect the lock ${this.#lockPath} (${code(error)})`,
        { cause: error },
      );
    }
    if (Date.now() - mtimeMs <= this.#staleLockMs) return false;
    await rm(this.#lockPath, { recursive: true, force: true });
    return true;
  }

  async #unlock(): Promise<void> {
    // `force`: not failing the operation (its outcome is already decided) if
    // the lock is gone, i.e. was broken as stale after a stall longer than
    // `staleLockMs` (then this may remove another process's lock: the race
    // described above).
    await rm(this.#lockPath, { recursive: true, force: true });
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`FileTokenStore: ${name} must be a positive number of milliseconds`);
  }
  return value;
}

function checkKey(key: string): void {
  if (typeof key !== 'string') throw new TypeError('FileTokenStore: key must be a string');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function code(error: unknown): string {
  return isObject(error) && typeof error.code === 'string' ? error.code : 'unknown error';
}
