import { UsageError } from '../errors.js';

/**
 * C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F) and the bidi embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069): what a terminal
 * obeys rather than shows, or what reorders the text around it
 * (CVE-2021-42574, "Trojan Source").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu');

/** Whether the text holds a control or bidi character. */
export const hasUnprintable = (value: string): boolean => UNPRINTABLE.test(value);

/**
 * Refuses a name or e-mail that could steer a terminal or reorder a line
 * when shown later. One message per field, never the value itself.
 *
 * @example
 * assertPrintable(input.name, 'client name');
 */
export function assertPrintable(value: string, field: string): void {
  if (hasUnprintable(value))
    throw new UsageError(`${field} must not contain control or bidi characters`);
}

/**
 * The text with every control and bidi character shown as a `\uXXXX`
 * escape, so that text from outside input prints as what it is.
 *
 * @example
 * escapeUnprintable('\u001b[2J'); // '\\u001b[2J'
 */
export function escapeUnprintable(text: string): string {
  return text.replace(
    UNPRINTABLE_ALL,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}
