import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { InvalidRequestError, OAuthError, PayloadTooLargeError, ServerError } from '../errors.js';
import type { ErrorResponse, Profile } from '../profiles/profile.js';

/** Maps what Fastify itself rejects (body too large, bad JSON, bad media type) to OAuth errors. */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  const fe = err as Partial<FastifyError>;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new PayloadTooLargeError('the request body is too large');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new InvalidRequestError('the request is malformed');
  }
  return new ServerError('internal error');
}

/** RFC 6749 §5.2 JSON error body; a 5xx body is always generic. */
export function standardErrorResponse(err: OAuthError): ErrorResponse {
  const body: Record<string, string> = { error: err.error };
  if (err.expose) body.error_description = err.message;
  return { status: err.status, body, headers: { ...err.headers } };
}

export function sendError(
  reply: FastifyReply,
  err: OAuthError,
  profile: Profile | undefined,
): FastifyReply {
  const standard = standardErrorResponse(err);
  const shaped = profile?.shapeError?.(err, standard) ?? standard;
  return reply
    .code(shaped.status)
    .headers({ 'cache-control': 'no-store', ...shaped.headers })
    .send(shaped.body);
}

export function createErrorHandler(logger: Logger) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const oauthError = toOAuthError(err);
    if (oauthError.status >= 500)
      logger.error({ err, path: req.routeOptions.url }, 'request failed');
    return sendError(reply, oauthError, req.routeOptions.config.profile);
  };
}
