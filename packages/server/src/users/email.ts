import { remove as replaceConfusables } from 'confusables';
import { InvalidFieldError } from '../errors.js';
import { hasUnprintable } from '../lib/printable.js';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/u;

/**
 * The e-mail as stored and looked up: trimmed, NFC, case-folded. Refuses
 * anything else as the `email` field (never repeating the value to the
 * admin API).
 */
export function normaliseEmail(input: string): string {
  const email = input.trim().normalize('NFC').toLowerCase();
  if (hasUnprintable(email))
    throw new InvalidFieldError('email', 'must not contain control or bidi characters');
  if (!EMAIL.test(email) || !email.split('@')[1]?.includes('.')) {
    throw new InvalidFieldError(
      'email',
      `is not an e-mail address: ${JSON.stringify(input.slice(0, 80))}`,
      'is not an e-mail address',
    );
  }
  return email;
}

/** UTS #39 confusables.txt maps these to i and j; the confusables package does not. */
const DOTLESS: Record<string, string> = { '\u0131': 'i', '\u0237': 'j' };

/**
 * What an address looks like: compatibility-normalised, confusable
 * characters (Cyrillic "а" for Latin "a"…) replaced by their Latin
 * look-alikes, accents and invisible characters stripped. Two users may not
 * share one.
 */
export function emailSkeleton(email: string): string {
  // UTS #39 §4: characters that render as nothing (soft hyphen, word joiner,
  // U+180E…) are dropped, so "al\u00adice" is not a second "alice".
  const compatible = email
    .normalize('NFKD')
    .replace(/[\p{M}\p{Default_Ignorable_Code_Point}]+/gu, '')
    .replace(/[\u0131\u0237]/gu, (c) => DOTLESS[c] ?? c);
  return replaceConfusables(compatible).toLowerCase().normalize('NFC');
}
