import { VerifyError, type VerifyErrorCode } from '../errors.js';

/**
 * The shapes an error answer can take: `rfc6750` (default), `edrv`, `jsonapi`.
 *
 * @example
 * ```ts
 * import type { ErrorStyle } from '@gridkey/verify';
 * const style: ErrorStyle = (process.env.GRIDKEY_ERROR_STYLE as ErrorStyle) ?? 'rfc6750';
 * ```
 */
export type ErrorStyle = 'rfc6750' | 'edrv' | 'jsonapi';

export const ERROR_STYLES: readonly ErrorStyle[] = Object.freeze(['rfc6750', 'edrv', 'jsonapi']);

/**
 * Options of `errorResponse`.
 *
 * @example
 * ```ts
 * import type { ErrorResponseOptions } from '@gridkey/verify';
 * const options: ErrorResponseOptions = { realm: 'energy-api', scopes: ['meters:read'] };
 * ```
 */
export interface ErrorResponseOptions {
  /** The `realm` of the challenge (RFC 7235 §2.2). Default `api`. */
  realm?: string;
  /** For `insufficient_scope`: the scopes the challenge names; default the error's own. */
  scopes?: readonly string[];
}

/**
 * An HTTP answer, ready to write.
 *
 * @example
 * ```ts
 * import { errorResponse, type ErrorResponse } from '@gridkey/verify';
 * const answer: ErrorResponse = errorResponse(err);
 * res.writeHead(answer.status, answer.headers).end(answer.body);
 * ```
 */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A title (JSON:API) and an eDRV-style message per code; the eDRV seed fixes "jwt expired". */
const WORDING: Record<VerifyErrorCode, { title: string; edrv: string }> = {
  missing_token: { title: 'Authentication required', edrv: 'jwt must be provided' },
  invalid_request: { title: 'Invalid request', edrv: 'invalid request' },
  malformed: { title: 'Malformed token', edrv: 'jwt malformed' },
  unsupported_algorithm: { title: 'Unsupported algorithm', edrv: 'invalid algorithm' },
  unknown_key: { title: 'Unknown signing key', edrv: 'unknown signing key' },
  invalid_signature: { title: 'Invalid signature', edrv: 'invalid signature' },
  wrong_type: { title: 'Wrong token type', edrv: 'invalid token type' },
  invalid_claims: { title: 'Invalid claims', edrv: 'invalid token' },
  expired: { title: 'Expired token', edrv: 'jwt expired' },
  not_yet_valid: { title: 'Token not yet valid', edrv: 'jwt not active' },
  revoked: { title: 'Revoked token', edrv: 'jwt revoked' },
  not_authorised: { title: 'Token not authorised', edrv: 'token not authorised' },
  insufficient_scope: { title: 'Insufficient scope', edrv: 'insufficient scope' },
  unavailable: { title: 'Service unavailable', edrv: 'service unavailable' },
};

/** RFC 6750 §3: error_description and scope values exclude `"` and `\`; so does a realm here. */
const QUOTABLE = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;
const quotable = (text: string) => text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, "'");

function challenge(err: VerifyError, realm: string, scopes: readonly string[] | undefined) {
  const parts = [`Bearer realm="${realm}"`];
  // RFC 6750 §3.1: a request with no credentials gets no error code.
  if (err.error !== undefined) {
    parts.push(`error="${err.error}"`, `error_description="${quotable(err.message)}"`);
  }
  if (err.code === 'insufficient_scope' && scopes !== undefined && scopes.length > 0) {
    parts.push(`scope="${quotable(scopes.join(' '))}"`);
  }
  return parts.join(', ');
}

function bodyOf(style: ErrorStyle, err: VerifyError | undefined): string {
  if (err === undefined) {
    if (style === 'edrv')
      return JSON.stringify({ ok: false, message: 'internal error', result: null });
    if (style === 'jsonapi') {
      const e = {
        status: '500',
        code: 'server_error',
        title: 'Internal error',
        detail: 'internal error',
      };
      return JSON.stringify({ errors: [e] });
    }
    return JSON.stringify({ error: 'server_error', error_description: 'internal error' });
  }
  const wording = WORDING[err.code];
  if (style === 'edrv') return JSON.stringify({ ok: false, message: wording.edrv, result: null });
  if (style === 'jsonapi') {
    const e = {
      status: String(err.status),
      code: err.code,
      title: wording.title,
      detail: err.message,
    };
    return JSON.stringify({ errors: [e] });
  }
  return JSON.stringify(
    err.error === undefined
      ? { error_description: err.message }
      : { error: err.error, error_description: err.message },
  );
}

/** Checks the arguments of `errorResponse`; a mistake is a TypeError. */
export function checkErrorStyle(style: unknown, where = 'errorStyle'): ErrorStyle {
  if (!ERROR_STYLES.includes(style as ErrorStyle)) {
    throw new TypeError(`${where} must be one of ${ERROR_STYLES.join(', ')}`);
  }
  return style as ErrorStyle;
}

export function checkRealm(realm: unknown, where = 'realm'): string {
  if (typeof realm !== 'string' || !QUOTABLE.test(realm)) {
    throw new TypeError(`${where} must be a string without quotes or backslashes`);
  }
  return realm;
}

/**
 * The HTTP answer to a refusal, in one of three presets. Any error that is
 * not a `VerifyError` becomes a generic 500 that reveals nothing.
 */
export function buildErrorResponse(
  err: unknown,
  style: ErrorStyle = 'rfc6750',
  options: ErrorResponseOptions = {},
): ErrorResponse {
  checkErrorStyle(style, 'style');
  const realm = checkRealm(options.realm ?? 'api', 'options.realm');
  const known = err instanceof VerifyError ? err : undefined;
  const headers: Record<string, string> = {
    'content-type': style === 'jsonapi' ? 'application/vnd.api+json' : 'application/json',
    'cache-control': 'no-store',
  };
  if (known !== undefined && known.status !== 503) {
    // RFC 7235 §3.1: a 401 carries a challenge; RFC 6750 §3 puts the error there for 400/403 too.
    headers['www-authenticate'] = challenge(known, realm, options.scopes ?? known.scopes);
  }
  if (known?.status === 503) headers['retry-after'] = '1';
  return { status: known?.status ?? 500, headers, body: bodyOf(style, known) };
}
