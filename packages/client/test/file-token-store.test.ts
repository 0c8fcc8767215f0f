import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTokenStore, type StoredTokens } from '../src/stores/index.js';
import { builtModule } from './helpers.js';

const SECRET = 'secret-refresh-token-xyz';

describe('FileTokenStore', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gridkey-file-store-'));
    file = join(dir, 'tokens.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('loads nothing from a missing file, and writes only on the expected version', async () => {
    const store = new FileTokenStore(file);
    expect(await store.load('a')).toBeUndefined();

    expect(await store.compareAndSwap('a', 0, { refreshToken: 'r1' })).toBe(true);
    expect(await store.load('a')).toEqual({ version: 1, data: { refreshToken: 'r1' } });

    const data = { refreshToken: 'r2', accessToken: 'at', issuedAt: 1, lifetimeMs: 300_000 };
    expect(await store.compareAndSwap('a', 1, data)).toBe(true);
    const before = await readFile(file, 'utf8');

    // Stale versions (and a version from the future) change nothing.
    expect(await store.compareAndSwap('a', 1, { refreshToken: 'lost' })).toBe(false);
    expect(await store.compareAndSwap('a', 0, { refreshToken: 'lost' })).toBe(false);
    expect(await store.compareAndSwap('a', 7, { refreshToken: 'lost' })).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await store.load('a')).toEqual({ version: 2, data });

    // Another key has its own versions and leaves the first one alone.
    expect(await store.compareAndSwap('b', 1, { refreshToken: 'x' })).toBe(false);
    expect(await store.compareAndSwap('b', 0, { lease: { owner: 'p1', until: 5 } })).toBe(true);
    expect(await store.load('b')).toEqual({
      version: 1,
      data: { lease: { owner: 'p1', until: 5 } },
    });
    expect(await store.load('a')).toEqual({ version: 2, data });
    expect(await store.load('c')).toBeUndefined();

    // An emptied record stays, so its version is never reused.
    expect(await store.compareAndSwap('a', 2, {})).toBe(true);
    expect(await store.load('a')).toEqual({ version: 3, data: {} });

    // The file has the documented shape, and another instance reads it.
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      records: {
        a: { version: 3, data: {} },
        b: { version: 1, data: { lease: { owner: 'p1', until: 5 } } },
      },
    });
    expect(await new FileTokenStore(file).load('b')).toEqual(await store.load('b'));
  });

  it('returns copies: mutating what was written or loaded changes nothing stored', async () => {
    const store = new FileTokenStore(file);
    const data = { refreshToken: 'r1' };
    await store.compareAndSwap('a', 0, data);
    data.refreshToken = 'mutated';
    const loaded = await store.load('a');
    if (loaded) loaded.data.refreshToken = 'mutated too';
    expect(await store.load('a')).toEqual({ version: 1, data: { refreshToken: 'r1' } });
  });

  it('handles keys that are Object.prototype names', async () => {
    const store = new FileTokenStore(file);
    expect(await store.load('__proto__')).toBeUndefined();
    expect(await store.load('toString')).toBeUndefined();
    expect(await store.compareAndSwap('__proto__', 0, { refreshToken: 'p' })).toBe(true);
    expect(await store.compareAndSwap('constructor', 0, { refreshToken: 'c' })).toBe(true);
    expect(await store.load('__proto__')).toEqual({ version: 1, data: { refreshToken: 'p' } });
    expect(await store.load('constructor')).toEqual({ version: 1, data: { refreshToken: 'c' } });
  });

  it('keeps the file at mode 0600 and leaves no temporary file or lock behind', async () => {
    const store = new FileTokenStore(file);
    await store.compareAndSwap('a', 0, { refreshToken: 'r1' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    for (let v = 1; v <= 5; v++) await store.compareAndSwap('a', v, { refreshToken: `r${v + 1}` });
    await store.compareAndSwap('a', 1, { refreshToken: 'refused' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['tokens.json']);
    expect(await store.load('a')).toEqual({ version: 6, data: { refreshToken: 'r6' } });
  });

  it('serializes concurrent swaps within one process', async () => {
    const store = new FileTokenStore(file);
    // All on version 0: exactly one wins.
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.compareAndSwap('a', 0, { refreshToken: `r${i}` })),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await store.load('a'))?.version).toBe(1);
    expect(await readdir(dir)).toEqual(['tokens.json']);
  });

  describe('a corrupt file', () => {
    const expectSafeRejection = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => expect.unreachable('should have rejected'),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(file);
      // Nowhere in the error, its cause or its stack: inspect shows them all.
      expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
      expect(String((error as Error).stack)).not.toContain(SECRET);
    };

    const contents = {
      'truncated JSON': `{"version":1,"records":{"a":{"version":1,"data":{"refreshToken":"${SECRET}"`,
      'garbage around a token': `${SECRET} \u0000\u00ff garbage {[`,
      'a bare JSON string': JSON.stringify(SECRET),
      'another format version': JSON.stringify({
        version: 2,
        records: { a: { version: 1, data: { refreshToken: SECRET } } },
      }),
      'a malformed record': JSON.stringify({
        version: 1,
        records: { a: { version: 'one', data: { refreshToken: SECRET } } },
      }),
    };

    for (const [name, content] of Object.entries(contents)) {
      it(`(${name}) makes load and compareAndSwap reject, naming the path, never the content`, async () => {
        await writeFile(file, content, { mode: 0o600 });
        const store = new FileTokenStore(file);
        await expectSafeRejection(store.load('a'));
        await expectSafeRejection(store.compareAndSwap('a', 0, { refreshToken: 'new' }));
        await expectSafeRejection(store.compareAndSwap('a', 1, { refreshToken: 'new' }));
        // Left as it was, for a human to look at; the lock is released.
        expect(await readFile(file, 'utf8')).toBe(content);
        expect(await readdir(dir)).toEqual(['tokens.json']);
      });
    }
  });

  describe('the lock', () => {
    it('is created as a directory with mode 0700 while a swap runs', async () => {
      const store = new FileTokenStore(file);
      const lock = `${file}.lock`;
      // Watch for the lock while swaps hold it (each does for a few file operations).
      let mode: number | undefined;
      let done = false;
      const watch = (async () => {
        while (!done && mode === undefined) {
          const s = await stat(lock).catch(() => undefined);
          if (s?.isDirectory()) mode = s.mode & 0o777;
        }
      })();
      for (let v = 0; v < 200 && mode === undefined; v++) {
        await store.compareAndSwap('a', v, { refreshToken: `r${v}` });
      }
      done = true;
      await watch;
      expect(mode).toBe(0o700);
      expect(existsSync(lock)).toBe(false);
    });

    it('is broken when stale (older than staleLockMs): its holder crashed', async () => {
      const store = new FileTokenStore(file);
      await store.compareAndSwap('a', 0, { refreshToken: 'r1' });
      const lock = `${file}.lock`;
      await mkdir(lock, { mode: 0o700 });
      const oneMinuteAgo = (Date.now() - 60_000) / 1000;
      await utimes(lock, oneMinuteAgo, oneMinuteAgo);
      expect(await store.compareAndSwap('a', 1, { refreshToken: 'r2' })).toBe(true);
      expect(await store.load('a')).toEqual({ version: 2, data: { refreshToken: 'r2' } });
      expect(await readdir(dir)).toEqual(['tokens.json']);
    });

    it('held fresh by another process makes swaps wait, then reject naming it', async () => {
      const store = new FileTokenStore(file, { lockTimeoutMs: 100 });
      await store.compareAndSwap('a', 0, { refreshToken: 'r1' });
      const lock = `${file}.lock`;
      await mkdir(lock, { mode: 0o700 });
      const before = await readFile(file, 'utf8');

      await expect(store.compareAndSwap('a', 1, { refreshToken: 'r2' })).rejects.toThrow(
        `the lock ${lock} could not be taken within 100 ms`,
      );
      // Not broken (it is fresh), nothing written, and readers never wait.
      expect(existsSync(lock)).toBe(true);
      expect(await readFile(file, 'utf8')).toBe(before);
      expect(await store.load('a')).toEqual({ version: 1, data: { refreshToken: 'r1' } });

      // Once released, swaps go through again.
      await rm(lock, { recursive: true });
      expect(await store.compareAndSwap('a', 1, { refreshToken: 'r2' })).toBe(true);
    });

    it('released while a swap waits lets that swap through', async () => {
      const store = new FileTokenStore(file, { lockTimeoutMs: 5_000 });
      const lock = `${file}.lock`;
      await mkdir(lock);
      const swap = store.compareAndSwap('a', 0, { refreshToken: 'r1' });
      await new Promise((r) => setTimeout(r, 50));
      await rm(lock, { recursive: true });
      expect(await swap).toBe(true);
    });
  });

  describe('misuse', () => {
    it('throws a TypeError naming the option', () => {
      // Deliberately wrong arguments, as from JavaScript.
      const Store = FileTokenStore as unknown as new (...args: unknown[]) => FileTokenStore;
      const make =
        (...args: unknown[]) =>
        () =>
          new Store(...args);
      expect(make()).toThrow(new TypeError('FileTokenStore: path must be a non-empty string'));
      expect(make('')).toThrow(/path/);
      expect(make(42)).toThrow(TypeError);
      expect(make(file, null)).toThrow(/options/);
      for (const name of ['lockTimeoutMs', 'staleLockMs']) {
        for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '100']) {
          expect(make(file, { [name]: value })).toThrow(TypeError);
          expect(make(file, { [name]: value })).toThrow(name);
        }
      }
      expect(make(file, { lockTimeoutMs: 1, staleLockMs: 1 })).not.toThrow();
    });

    it('rejects a bad expected version or data with a TypeError', async () => {
      const store = new FileTokenStore(file);
      await expect(store.compareAndSwap('a', -1, {})).rejects.toThrow(TypeError);
      await expect(store.compareAndSwap('a', 0.5, {})).rejects.toThrow(TypeError);
      const notData = null as unknown as StoredTokens;
      await expect(store.compareAndSwap('a', 0, notData)).rejects.toThrow(TypeError);
      expect(await readdir(dir)).toEqual([]);
    });

    it('fails on first use when the directory does not exist, naming the path', async () => {
      const missing = join(dir, 'no-such-dir', 'tokens.json');
      const store = new FileTokenStore(missing);
      await expect(store.load('a')).rejects.toThrow(`the directory of ${missing}`);
      await expect(store.compareAndSwap('a', 0, { refreshToken: 'r1' })).rejects.toThrow(
        `the directory of ${missing}`,
      );
      expect(await readdir(dir)).toEqual([]);
    });

    it('refuses a path that is no regular file', async () => {
      await mkdir(file);
      const store = new FileTokenStore(file);
      await expect(store.load('a')).rejects.toThrow(`${file} is not a regular file`);
    });

    it('refuses a symlink planted at the path, and a file others can read', async () => {
      const elsewhere = join(dir, 'elsewhere.json');
      await writeFile(elsewhere, JSON.stringify({ version: 1, records: {} }), { mode: 0o600 });
      await symlink(elsewhere, file);
      const store = new FileTokenStore(file);
      await expect(store.load('a')).rejects.toThrow(`cannot read ${file} (ELOOP)`);
      await expect(store.compareAndSwap('a', 0, {})).rejects.toThrow('ELOOP');
      await rm(file);
      await writeFile(file, JSON.stringify({ version: 1, records: {} }), { mode: 0o644 });
      await chmod(file, 0o644);
      await expect(store.load('a')).rejects.toThrow(/open to other users \(mode 644\)/);
      await expect(store.compareAndSwap('a', 0, {})).rejects.toThrow(/must be 0600/);
    });
  });

  describe('across processes', () => {
    const CHILDREN = 4;
    const INCREMENTS = 25;

    it(`keeps every increment of ${CHILDREN} processes x ${INCREMENTS} (compareAndSwap is atomic)`, async () => {
      const distModule = builtModule('stores/file-token-store');

      const store = new FileTokenStore(file);
      // The counter rides in a StoredTokens field, as a rotated token would.
      expect(await store.compareAndSwap('counter', 0, { refreshToken: 'rt-0', issuedAt: 0 })).toBe(
        true,
      );

      const script = join(dir, 'increment.mjs');
      await writeFile(
        script,
        `import { FileTokenStore } from ${JSON.stringify(distModule)};
const store = new FileTokenStore(process.argv[2]);
const written = [];
let conflicts = 0;
while (written.length < ${INCREMENTS}) {
  const record = await store.load('counter');
  const next = record.data.issuedAt + 1;
  if (await store.compareAndSwap('counter', record.version, { refreshToken: 'rt-' + next, issuedAt: next })) {
    written.push(next);
  } else {
    conflicts++;
  }
}
process.stdout.write(JSON.stringify({ written, conflicts }));
`,
      );

      const run = () =>
        new Promise<{ written: number[]; conflicts: number }>((resolve, reject) => {
          const child = spawn(process.execPath, [script, file], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (chunk) => {
            out += chunk;
          });
          child.stderr.on('data', (chunk) => {
            err += chunk;
          });
          child.on('error', reject);
          child.on('close', (status) => {
            if (status === 0) resolve(JSON.parse(out));
            else reject(new Error(`child exited with ${status}: ${err}`));
          });
        });

      const results = await Promise.all(Array.from({ length: CHILDREN }, run));

      const total = CHILDREN * INCREMENTS;
      expect(await store.load('counter')).toEqual({
        version: total + 1,
        data: { refreshToken: `rt-${total}`, issuedAt: total },
      });
      // Each value was written by exactly one process: no two swaps won on one version.
      const written = results.flatMap((r) => r.written).sort((a, b) => a - b);
      expect(written).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      for (const r of results) expect(r.written).toHaveLength(INCREMENTS);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await readdir(dir)).sort()).toEqual(['increment.mjs', 'tokens.json']);
    });
  });
});
