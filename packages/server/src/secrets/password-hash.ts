import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptFunction } from './scrypt-workers.js';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  logN: number;
  r: number;
  p: number;
}

/** Longer passwords are refused before any hashing: hashing is the expensive part. */
export const MAX_PASSWORD_BYTES = 1024;
const KEY_BYTES = 32;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** `crypto.scrypt` on libuv's threadpool: the default where no worker pool is given. */
export const threadpoolScrypt: ScryptFunction = (password, salt, keyLength, options) =>
  new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

function derive(
  password: string,
  salt: Buffer,
  params: ScryptParams,
  run: ScryptFunction,
): Promise<Buffer> {
  const N = 2 ** params.logN;
  const options: ScryptOptions = {
    N,
    r: params.r,
    p: params.p,
    maxmem: 256 * N * params.r + 1024 * 1024,
  };
  return run(password.normalize('NFC'), salt, KEY_BYTES, options);
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/** scrypt (RFC 7914) in PHC string form: `$scrypt$ln=15,r=8,p=1$salt$hash`. */
export async function hashPassword(
  password: string,
  params: ScryptParams,
  run: ScryptFunction = threadpoolScrypt,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params, run);
  return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/**
 * Checks a password in constant time. `needsRehash` when it was hashed with
 * other parameters than the configured ones (rehash on login).
 */
export async function verifyPassword(
  password: string,
  stored: string,
  current: ScryptParams,
  run: ScryptFunction = threadpoolScrypt,
): Promise<{ ok: boolean; needsRehash: boolean }> {
  const m = PHC.exec(stored);
  if (m === null) return { ok: false, needsRehash: false };
  const params = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  const expected = Buffer.from(m[5] ?? '', 'base64');
  const actual = await derive(password, Buffer.from(m[4] ?? '', 'base64'), params, run);
  const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
  const needsRehash =
    params.logN !== current.logN || params.r !== current.r || params.p !== current.p;
  return { ok, needsRehash };
}

/** A hash of nothing anyone knows: checked for unknown users so every failure costs the same. */
export async function dummyPasswordHash(
  params: ScryptParams,
  run: ScryptFunction = threadpoolScrypt,
): Promise<string> {
  return hashPassword(randomBytes(16).toString('hex'), params, run);
}
