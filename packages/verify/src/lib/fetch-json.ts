/** A failed request to the issuer: its message names the URL and the status, never a secret. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface FetchJsonOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  /** Aborted when the verifier closes. */
  signal?: AbortSignal;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/** Larger answers are refused: a key set, a metadata document or a feed page is far smaller. */
const MAX_BODY_CHARS = 8 * 1024 * 1024;

/**
 * GETs (or POSTs) and parses JSON, with a timeout; any status but 200 is an
 * UpstreamError. Redirects are not followed: the URLs come from the
 * configuration or the issuer's metadata, and a redirect would move trust.
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  let res: Response;
  try {
    res = await options.fetch(url, {
      method: options.method ?? 'GET',
      headers: { accept: 'application/json', ...options.headers },
      redirect: 'manual',
      signal,
      ...(options.body === undefined ? {} : { body: options.body }),
    });
  } catch (err) {
    const why = timeout.aborted ? `timed out after ${options.timeoutMs} ms` : errorText(err);
    throw new UpstreamError(`${url}: ${why}`, undefined, { cause: err });
  }
  // Refused before it is read, when the server says how large it is.
  if (Number(res.headers.get('content-length') ?? 0) > MAX_BODY_CHARS) {
    await res.body?.cancel();
    throw new UpstreamError(`${url}: the body is too large`, res.status);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new UpstreamError(`${url}: reading the body failed: ${errorText(err)}`, res.status, {
      cause: err,
    });
  }
  if (res.status !== 200) throw new UpstreamError(`${url}: HTTP ${res.status}`, res.status);
  if (text.length > MAX_BODY_CHARS) throw new UpstreamError(`${url}: the body is too large`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UpstreamError(`${url}: the body is not JSON`, res.status, { cause: err });
  }
}

/** A one-line reason: our own message, or for a failed fetch the cause (ECONNREFUSED, ...). */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return 'error';
  if (err instanceof UpstreamError || !(err.cause instanceof Error)) return err.message;
  return err.cause.message;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
