import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { emailSkeleton, normaliseEmail } from './email.js';

describe('e-mail normalisation', () => {
  it('trims, case-folds and composes (NFC)', () => {
    expect(normaliseEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
    expect(normaliseEmail('jose\u0301@example.com')).toBe('jos\u00e9@example.com');
  });

  it('refuses what is not an address', () => {
    for (const bad of ['', 'jane', 'jane@', '@example.com', 'a b@example.com', 'jane@localhost']) {
      expect(() => normaliseEmail(bad)).toThrow(UsageError);
    }
  });

  it('gives look-alikes one skeleton and different people different ones', () => {
    const latin = emailSkeleton(normaliseEmail('paypal@example.com'));
    expect(emailSkeleton(normaliseEmail('p\u0430ypal@example.com'))).toBe(latin); // Cyrillic а
    expect(emailSkeleton(normaliseEmail('PAYPAL@EXAMPLE.COM'))).toBe(latin);
    expect(emailSkeleton(normaliseEmail('jos\u00e9@example.com'))).toBe(
      emailSkeleton('jose@example.com'),
    );
    expect(emailSkeleton(normaliseEmail('paypal2@example.com'))).not.toBe(latin);
  });
});
