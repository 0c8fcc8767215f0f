import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { assertPrintable, escapeUnprintable, hasUnprintable } from './printable.js';

const code = (n: number) => String.fromCodePoint(n);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => code(from + i));
const UNPRINTABLE = [
  ...range(0x00, 0x1f),
  code(0x7f),
  ...range(0x80, 0x9f),
  ...range(0x202a, 0x202e),
  ...range(0x2066, 0x2069),
];

describe('printable text', () => {
  it('finds every C0, DEL, C1 and bidi control character, and nothing else', () => {
    for (const c of UNPRINTABLE)
      expect(hasUnprintable(`a${c}b`), c.codePointAt(0)?.toString(16)).toBe(true);
    for (const ok of ['Jörg’s meter', 'Łódź', '東京', 'a\u200db', '🔌', 'é'])
      expect(hasUnprintable(ok), ok).toBe(false);
  });

  it('refuses such a value with a message naming the field, never the value', () => {
    expect(() => assertPrintable('x\u001b[2J', 'client name')).toThrow(
      new UsageError('client name must not contain control or bidi characters'),
    );
    expect(() => assertPrintable('meters', 'client name')).not.toThrow();
  });

  it('escapes each such character as \\uXXXX and leaves the rest', () => {
    expect(escapeUnprintable('\u001b[2J\u001b[Hvalid: true')).toBe(
      '\\u001b[2J\\u001b[Hvalid: true',
    );
    expect(escapeUnprintable('a\nb\u009b\u202e\u0000\u007f')).toBe(
      'a\\u000ab\\u009b\\u202e\\u0000\\u007f',
    );
    expect(escapeUnprintable('Jörg’s 🔌')).toBe('Jörg’s 🔌');
    for (const c of UNPRINTABLE) expect(hasUnprintable(escapeUnprintable(c))).toBe(false);
  });
});
