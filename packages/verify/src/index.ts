import { checkCallOptions } from './lib/call-options.js';
import {
  buildErrorResponse,
  type ErrorResponse,
  type ErrorResponseOptions,
  type ErrorStyle,
} from './lib/error-presets.js';
import { extractToken, type RequestLike } from './lib/extract-token.js';
import { GridkeyVerifier } from './lib/verifier.js';
import type { VerifiedToken, Verifier, VerifierOptions, VerifyOptions } from './types.js';

export {
  type BearerErrorCode,
  isVerifyError,
  VERIFY_ERROR_CODES,
  VerifyError,
  type VerifyErrorCode,
} from './errors.js';
export type { ErrorResponse, ErrorResponseOptions, ErrorStyle } from './lib/error-presets.js';
export type { HeaderSource, RequestLike } from './lib/extract-token.js';
export type {
  PatInterface,
  VerifiedAccessToken,
  VerifiedApiKey,
  VerifiedPat,
  VerifiedToken,
  Verifier,
  VerifierEvents,
  VerifierHealth,
  VerifierOptions,
  VerifyOptions,
} from './types.js';

/**
 * Makes a verifier for one gridkey issuer. It starts loading the issuer's
 * metadata and key set and following the token-state feed at once; `verify`
 * waits for them. Bad options throw a `TypeError` naming the option, here
 * and not on the first request.
 *
 * @example
 * ```ts
 * import { createVerifier } from '@gridkey/verify';
 *
 * const verifier = createVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'energy-api',
 *   introspection: { clientId: 'energy-api', clientSecret: process.env.GK_SECRET ?? '' },
 * });
 * const token = await verifier.verify(bearer, { scopes: ['meters:read'] });
 * console.log(token.kind, token.subject);
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  return new GridkeyVerifier(options);
}

/**
 * Finds the request's token (`Authorization: Bearer`, or `X-API-Key` for
 * API keys; never the query string) and verifies it. For node:http and
 * fetch-style handlers; the Fastify and Express adapters use it too.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { authenticate, createVerifier, errorResponse } from '@gridkey/verify';
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com' });
 * createServer(async (req, res) => {
 *   try {
 *     const token = await authenticate(req, verifier, { scopes: ['meters:read'] });
 *     res.end(`hello ${token.subject}`);
 *   } catch (err) {
 *     const { status, headers, body } = errorResponse(err);
 *     res.writeHead(status, headers).end(body);
 *   }
 * }).listen(8081);
 * ```
 */
export async function authenticate(
  req: RequestLike,
  verifier: Verifier,
  options?: VerifyOptions,
): Promise<VerifiedToken> {
  const call = checkCallOptions(options);
  const { token } = extractToken(req);
  return verifier.verify(token, call);
}

/**
 * The HTTP answer to a failed `verify` or `authenticate`: status, headers
 * and body in a preset. `rfc6750` (default): RFC 6750 §3 JSON and
 * `WWW-Authenticate`; `edrv`: `{"ok":false,"message":"jwt expired","result":null}`
 * and the same shape for every failure; `jsonapi`: a JSON:API `errors` array.
 * Anything but a `VerifyError` is a generic 500.
 *
 * @example
 * ```ts
 * import { errorResponse, VerifyError } from '@gridkey/verify';
 *
 * const expired = new VerifyError('expired', 'the token has expired');
 * const { status, headers, body } = errorResponse(expired, 'edrv');
 * // 401, {"ok":false,"message":"jwt expired","result":null}
 * ```
 */
export function errorResponse(
  err: unknown,
  style?: ErrorStyle,
  options?: ErrorResponseOptions,
): ErrorResponse {
  return buildErrorResponse(err, style, options);
}
