import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, secretMatches } from './secret-hash.js';

describe('secret hashes', () => {
  const pepper = randomBytes(32);
  const secret = generateSecret();
  const stored = hashSecret(pepper, secret);

  it('stores a keyed SHA-256, never the secret', () => {
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(secret);
    expect(hashSecret(randomBytes(32), secret)).not.toBe(stored);
  });

  it('matches the secret it was made from, and nothing else', () => {
    expect(secretMatches(pepper, secret, stored)).toBe(true);
    expect(secretMatches(pepper, `${secret}x`, stored)).toBe(false);
    expect(secretMatches(pepper, generateSecret(), stored)).toBe(false);
    expect(secretMatches(randomBytes(32), secret, stored)).toBe(false);
  });

  it('refuses a stored hash of the wrong length instead of throwing', () => {
    expect(secretMatches(pepper, secret, stored.slice(0, 32))).toBe(false);
    expect(secretMatches(pepper, secret, '')).toBe(false);
  });
});
