import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

export const MASTER_KEY_FILE = 'master.key';
const KEY_BYTES = 32;

function decodeKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new UsageError(`${source} must be 32 bytes, as 64 hex characters or base64`);
  }
  return key;
}

/**
 * The master key encrypts signing keys and derives the secret pepper. It comes
 * from `GRIDKEY_MASTER_KEY` (several nodes share it) or from a 0600 file in
 * the data dir, created on first start when `create` is allowed.
 */
export function loadMasterKey(options: {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  create: boolean;
}): Buffer | undefined {
  const fromEnv = options.env.GRIDKEY_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return decodeKey(fromEnv, 'GRIDKEY_MASTER_KEY');
  const path = join(options.dataDir, MASTER_KEY_FILE);
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new UsageError(
        `${path} is readable by others (mode ${mode.toString(8)}); chmod 600 it`,
      );
    }
    return decodeKey(readFileSync(path, 'utf8'), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!options.create) return undefined;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  // 'wx': never overwrite a key another process wrote a moment ago.
  try {
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      return decodeKey(readFileSync(path, 'utf8'), path);
    }
    throw err;
  }
  chmodSync(path, 0o600);
  return key;
}
