import { InvalidFieldError } from '../errors.js';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses an ISO 8601 date or date-time that must lie in the future; unix seconds. */
export function parseFutureIsoTime(text: string, what: string, nowSeconds: number): number {
  // The field's neutral name: a front end names it its own way.
  const field = what.replace(/^--/, '');
  const ms = ISO_8601.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidFieldError(field, 'must be an ISO 8601 date-time, e.g. 2027-01-31T12:00:00Z');
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds <= nowSeconds) throw new InvalidFieldError(field, 'must be in the future');
  return seconds;
}

export const isoOrNull = (seconds: number | null): string | null =>
  seconds === null ? null : new Date(seconds * 1000).toISOString();

/** `{ expiresAt }` from an optional ISO 8601 flag or field, or nothing when it is absent. */
export function optionalExpiry(
  text: string | undefined,
  what: string,
  nowSeconds: number,
): { expiresAt?: number } {
  return text === undefined ? {} : { expiresAt: parseFutureIsoTime(text, what, nowSeconds) };
}

/**
 * An instant given as ISO 8601 or as unix seconds (what a log line or
 * `date +%s` gives); unix seconds. `what` names the field in the error.
 */
export function parseInstant(text: string, what: string): number {
  const field = what.replace(/^--/, '');
  if (/^\d{1,12}$/.test(text)) return Number(text);
  const ms = ISO_8601.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidFieldError(
      field,
      'must be an ISO 8601 date-time (e.g. 2027-01-31T12:00:00Z) or unix seconds',
    );
  }
  return Math.floor(ms / 1000);
}
