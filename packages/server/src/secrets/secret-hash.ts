import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Generated secrets have 256 bits of entropy, so a keyed SHA-256 (HMAC with
 * the server pepper) is enough: a slow KDF protects guessable passwords,
 * which these are not. Without the pepper a stolen database proves nothing.
 */
export function hashSecret(pepper: Buffer, secret: string): string {
  return keyedDigest(pepper, secret).toString('hex');
}

const keyedDigest = (pepper: Buffer, secret: string): Buffer =>
  createHmac('sha256', pepper).update(secret, 'utf8').digest();

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(pepper: Buffer, presented: string, storedHash: string): boolean {
  const actual = keyedDigest(pepper, presented);
  const expected = Buffer.from(storedHash, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

/** 256 random bits, base64url (43 characters). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** 128 random bits as 32 hex characters: safe in URLs, Basic auth and shell words. */
export function generateId(): string {
  return randomBytes(16).toString('hex');
}
