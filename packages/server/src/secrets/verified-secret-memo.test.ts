import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret } from './secret-hash.js';
import { VerifiedSecretMemo } from './verified-secret-memo.js';

describe('VerifiedSecretMemo', () => {
  const pepper = randomBytes(32);

  it('matches what secretMatches matches, before and after it remembers', () => {
    const memo = new VerifiedSecretMemo(pepper);
    const secret = generateSecret();
    const stored = hashSecret(pepper, secret);
    expect(memo.matches(`${secret}x`, stored)).toBe(false);
    expect(memo.size).toBe(0);
    expect(memo.matches(secret, stored)).toBe(true);
    expect(memo.size).toBe(1);
    // From the memo now: the right secret still, and nothing else.
    expect(memo.matches(secret, stored)).toBe(true);
    expect(memo.matches(`${secret}x`, stored)).toBe(false);
    expect(memo.matches(generateSecret(), stored)).toBe(false);
    expect(memo.matches('', stored)).toBe(false);
  });

  it('never lets a remembered secret pass for a rotated one', () => {
    const memo = new VerifiedSecretMemo(pepper);
    const old = generateSecret();
    expect(memo.matches(old, hashSecret(pepper, old))).toBe(true);
    const rotated = hashSecret(pepper, generateSecret());
    expect(memo.matches(old, rotated)).toBe(false);
  });

  it('holds to its own pepper: a hash made with another never matches', () => {
    const memo = new VerifiedSecretMemo(pepper);
    const secret = generateSecret();
    expect(memo.matches(secret, hashSecret(randomBytes(32), secret))).toBe(false);
    expect(memo.matches(secret, '0'.repeat(64))).toBe(false);
    expect(memo.matches(secret, 'not hex')).toBe(false);
  });

  it('stays bounded', () => {
    const memo = new VerifiedSecretMemo(pepper, 10);
    for (let i = 0; i < 25; i++) {
      const secret = generateSecret();
      expect(memo.matches(secret, hashSecret(pepper, secret))).toBe(true);
    }
    expect(memo.size).toBeLessThanOrEqual(10);
  });
});
