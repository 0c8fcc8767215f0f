import { crc32 } from 'node:zlib';

export const API_KEY_PREFIX = 'gk_';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM_CHARS = 6;
/** `gk_` + 43 base62 characters of randomness + 6 of checksum. */
const FORMAT = /^gk_[0-9A-Za-z]{49}$/;

/**
 * A number in base62, zero-padded to six characters. The server encodes the
 * CRC's four bytes with base-x, which writes one `0` per leading zero byte;
 * padded to six that is the same string (a test checks it on generated keys).
 */
function base62Checksum(n: number): string {
  let out = '';
  let rest = n >>> 0;
  do {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return out.padStart(CHECKSUM_CHARS, '0');
}

/**
 * Prefix, length, alphabet and the CRC32 checksum of what precedes it:
 * checked offline, so a mistyped or made-up key costs no network call.
 * True says nothing about whether the key exists.
 */
export function isWellFormedApiKey(key: string): boolean {
  if (!FORMAT.test(key)) return false;
  const body = key.slice(0, -CHECKSUM_CHARS);
  return base62Checksum(crc32(body)) === key.slice(-CHECKSUM_CHARS);
}
