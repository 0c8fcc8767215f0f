// @ts-check
/** How values are shown: dates in the browser's locale and time zone, lists, names. */

export const dateFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});
export const secondsFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

/**
 * ISO string or epoch seconds/milliseconds to a Date, or null.
 *
 * @param {unknown} value
 * @returns {Date | null}
 */
export function toDate(value) {
  if (value === null || value === undefined || value === '') return null;
  const date =
    typeof value === 'number'
      ? new Date(value < 1e12 ? value * 1000 : value)
      : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** @param {number} n */
const pad = (n) => String(n).padStart(2, '0');

/**
 * A Date as a `datetime-local` value, in local time.
 *
 * @param {Date} date
 */
export const toLocalInput = (date) =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;

/**
 * A list (or a space-separated string) as one string.
 *
 * @param {unknown} value
 */
export const list = (value) => (Array.isArray(value) ? value.join(' ') : String(value ?? ''));

/** @param {string} name */
export const quoted = (name) => `“${name}”`;

/**
 * An audit entry's detail as `key=value, …`.
 *
 * @param {unknown} detail
 */
export function describeDetail(detail) {
  if (detail === null || detail === undefined) return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

/**
 * Space-separated words, extra spaces dropped.
 *
 * @param {string} text
 */
export const words = (text) => text.trim().split(/\s+/).filter(Boolean).join(' ');

/**
 * A `datetime-local` input's value as ISO 8601, checked to be in the future
 * (and not after `before`); empty gives `iso: undefined`.
 *
 * @param {HTMLInputElement} field
 * @param {{ before?: Date | undefined }} [options]
 * @returns {{ iso?: string | undefined, error?: string }}
 */
export function futureIso(field, { before } = {}) {
  if (field.value === '') return { iso: undefined };
  const date = new Date(field.value);
  if (Number.isNaN(date.getTime())) return { error: 'Enter a valid date and time.' };
  if (date.getTime() <= Date.now()) return { error: 'Choose a date and time in the future.' };
  if (before && date.getTime() > before.getTime()) {
    return { error: `Choose a time before the token's own expiry (${dateFormat.format(before)}).` };
  }
  return { iso: date.toISOString() };
}
