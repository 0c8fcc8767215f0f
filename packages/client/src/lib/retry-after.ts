/**
 * RFC 9110 §10.2.3: `Retry-After` is either delay-seconds or an HTTP-date.
 * Returns the wait in milliseconds, or undefined when absent or unreadable.
 * A date in the past means "now".
 */
export function parseRetryAfter(value: string | null, wallNow = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - wallNow);
}
