import { VerifyError } from '../errors.js';
import { API_KEY_PREFIX } from './api-key-format.js';

/**
 * Headers as node:http, Fastify and Express give them, or a fetch `Headers`.
 *
 * @example
 * ```ts
 * import type { HeaderSource } from '@gridkey/verify';
 * const headers: HeaderSource = { authorization: `Bearer ${token}` };
 * ```
 */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/**
 * What adapters hand over: an `IncomingMessage`, a fetch `Request`, or headers and a URL.
 *
 * @example
 * ```ts
 * import { authenticate, type RequestLike } from '@gridkey/verify';
 * const req: RequestLike = { headers: { 'x-api-key': key }, url: '/meters' };
 * await authenticate(req, verifier);
 * ```
 */
export interface RequestLike {
  headers: HeaderSource;
  /** A path with its query (node:http) or an absolute URL (fetch). */
  url?: string | undefined;
  /** node:http keeps these; they show a header sent twice, which `headers` hides. */
  rawHeaders?: readonly string[] | undefined;
}

export interface ExtractedToken {
  token: string;
  from: 'authorization' | 'x-api-key';
}

/** RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const VISIBLE = /^[\x21-\x7E]+$/;

const invalid = (message: string) => new VerifyError('invalid_request', message);

function header(req: RequestLike, name: string): string | undefined {
  const { headers } = req;
  if (typeof (headers as Headers).get === 'function' && !Array.isArray(headers)) {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  let value = record[name];
  // node:http gives lower-case names (and rawHeaders); other shapes may not.
  if (value === undefined && req.rawHeaders === undefined) {
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === name) value = record[key];
    }
  }
  if (Array.isArray(value)) {
    if (value.length > 1) throw invalid(`the ${name} header is sent more than once`);
    value = value[0];
  }
  if (req.rawHeaders !== undefined && value !== undefined) {
    let count = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]?.toLowerCase() === name) count++;
    }
    if (count > 1) throw invalid(`the ${name} header is sent more than once`);
  }
  return value;
}

function hasQueryToken(url: string | undefined): boolean {
  if (url === undefined || !url.includes('?')) return false;
  try {
    return new URL(url, 'http://localhost').searchParams.has('access_token');
  } catch {
    return false;
  }
}

/**
 * The one token of a request: `Authorization: Bearer` (RFC 6750 §2.1, the
 * scheme case-insensitive, one space, a b64token) or, for API keys only,
 * `X-API-Key`. Never the query string: RFC 6750 §5.3 warns that URLs end up
 * in logs, so `?access_token=` is refused rather than ignored. A token in two
 * places is `invalid_request` (RFC 6750 §3.1); another Authorization scheme
 * counts as no bearer credentials, which is `missing_token` (a bare challenge).
 */
export function extractToken(req: RequestLike): ExtractedToken {
  if (hasQueryToken(req.url)) {
    throw invalid('tokens are not accepted in the query string; use the Authorization header');
  }
  let bearer: string | undefined;
  const authorization = header(req, 'authorization');
  if (authorization !== undefined) {
    const space = authorization.indexOf(' ');
    const scheme = space === -1 ? authorization : authorization.slice(0, space);
    if (scheme.toLowerCase() === 'bearer') {
      const credentials = space === -1 ? '' : authorization.slice(space + 1);
      if (!B64TOKEN.test(credentials)) {
        throw invalid('the Authorization header must be Bearer and one token');
      }
      bearer = credentials;
    }
  }
  const apiKey = header(req, 'x-api-key');
  if (apiKey !== undefined) {
    if (bearer !== undefined) throw invalid('the request carries a token in two places');
    if (!VISIBLE.test(apiKey) || !apiKey.startsWith(API_KEY_PREFIX)) {
      throw invalid('the X-API-Key header carries API keys (gk_...) only');
    }
    return { token: apiKey, from: 'x-api-key' };
  }
  if (bearer === undefined) throw new VerifyError('missing_token', 'a bearer token is required');
  return { token: bearer, from: 'authorization' };
}
