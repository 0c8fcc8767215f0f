/**
 * RFC 9110 §10.2.3: `Retry-After` is either delay-seconds or an HTTP-date.
 * Returns the wait in milliseconds, or undefined when absent or unreadable.
 * A date in the past means "now".
 */
export function parseRetryAfter(value: string | null, wallNow = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date names its day and month (§5.6.7); a bare '-1' is no date.
  const at = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - wallNow);
}
