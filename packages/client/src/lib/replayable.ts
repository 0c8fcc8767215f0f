/**
 * Whether a request can be sent a second time as it was: no body, or a body
 * held in memory. A stream (or a `Request` carrying one) is consumed by the
 * first send.
 */
export function isReplayable(
  input: string | URL | Request,
  init: RequestInit | undefined,
): boolean {
  const body = init?.body;
  if (body === undefined) return !(input instanceof Request) || input.body === null;
  return (
    body === null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof URLSearchParams
  );
}
