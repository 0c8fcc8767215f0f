/**
 * Every stable failure code of `verify()`, in one registry. The README's
 * error table lists each of them; a test fails when one is missing there.
 *
 * @example
 * ```ts
 * import { VERIFY_ERROR_CODES } from '@gridkey/verify/errors';
 * console.log(VERIFY_ERROR_CODES.includes('expired')); // true
 * ```
 */
export const VERIFY_ERROR_CODES = [
  'missing_token',
  'invalid_request',
  'malformed',
  'unsupported_algorithm',
  'unknown_key',
  'invalid_signature',
  'wrong_type',
  'invalid_claims',
  'expired',
  'not_yet_valid',
  'revoked',
  'not_authorised',
  'insufficient_scope',
  'unavailable',
] as const;

/**
 * Why a token was refused.
 *
 * @example
 * ```ts
 * import type { VerifyErrorCode } from '@gridkey/verify/errors';
 * const retryable = (code: VerifyErrorCode) => code === 'unavailable';
 * ```
 */
export type VerifyErrorCode = (typeof VERIFY_ERROR_CODES)[number];

/**
 * The wire `error` of a refusal: RFC 6750 §3.1, plus RFC 6749 §4.1.2.1's
 * `temporarily_unavailable` for a verifier that cannot tell right now.
 *
 * @example
 * ```ts
 * import type { BearerErrorCode } from '@gridkey/verify/errors';
 * const wire: BearerErrorCode = 'invalid_token';
 * ```
 */
export type BearerErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'temporarily_unavailable';

/** RFC 6750 §3.1: the status and wire error each code answers with. */
function wireOf(code: VerifyErrorCode): { status: number; error: BearerErrorCode | undefined } {
  switch (code) {
    // RFC 6750 §3.1: a request without credentials gets a bare challenge, no error code.
    case 'missing_token':
      return { status: 401, error: undefined };
    case 'invalid_request':
      return { status: 400, error: 'invalid_request' };
    case 'insufficient_scope':
      return { status: 403, error: 'insufficient_scope' };
    case 'unavailable':
      return { status: 503, error: 'temporarily_unavailable' };
    default:
      return { status: 401, error: 'invalid_token' };
  }
}

/**
 * The one error class of `@gridkey/verify`: a refused token, with a stable
 * `code`, the HTTP `status` to answer with and the RFC 6750 `error`. Its
 * `message` is safe to show: it never contains the token or any header value.
 * A caller's misuse (bad options) throws a plain `TypeError` instead.
 *
 * @example
 * ```ts
 * import { VerifyError } from '@gridkey/verify/errors';
 * try {
 *   await verifier.verify(token);
 * } catch (err) {
 *   if (err instanceof VerifyError && err.code === 'expired') console.log(err.status); // 401
 * }
 * ```
 */
export class VerifyError extends Error {
  override readonly name = 'VerifyError';
  /** Why the token was refused. */
  readonly code: VerifyErrorCode;
  /** The HTTP status to answer with: 400, 401, 403 or 503. */
  readonly status: number;
  /** The RFC 6750 `error`; undefined for `missing_token` (RFC 6750 §3.1). */
  readonly error: BearerErrorCode | undefined;
  /** For `insufficient_scope`: the scopes the request needed (RFC 6750 §3 `scope`). */
  readonly scopes: readonly string[] | undefined;

  constructor(
    code: VerifyErrorCode,
    message: string,
    options: { cause?: unknown; scopes?: readonly string[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    const wire = wireOf(code);
    this.status = wire.status;
    this.error = wire.error;
    this.scopes = options.scopes === undefined ? undefined : Object.freeze([...options.scopes]);
  }
}

/**
 * True for a `VerifyError`, optionally of one code.
 *
 * @example
 * ```ts
 * import { isVerifyError } from '@gridkey/verify/errors';
 * if (isVerifyError(err, 'unavailable')) reply.header('retry-after', '1');
 * ```
 */
export function isVerifyError(err: unknown, code?: VerifyErrorCode): err is VerifyError {
  return err instanceof VerifyError && (code === undefined || err.code === code);
}
