import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  InvalidRequestError,
  NotFoundError,
  OAuthError,
  PayloadTooLargeError,
  ServerError,
  TemporarilyUnavailableError,
  UnknownIdError,
  type UnsupportedMediaTypeError,
  UsageError,
} from '../errors.js';
import type { ErrorResponse, Profile } from '../profiles/profile.js';
import { HashingBusyError } from '../secrets/hashing-gate.js';
import {
  describeStoreError,
  isStoreUnavailable,
  StoreUnavailableError,
} from '../store/store-unavailable.js';
import { assertJsonApiContentType, jsonApiErrorResponse } from './json-api.js';
import { createRefusalLog } from './refusal-log.js';

/** How long a caller should wait after a 503 for an unavailable database. */
const STORE_RETRY_AFTER_SECONDS = 5;

/** Maps what Fastify itself rejects (body too large, bad JSON, bad media type) to OAuth errors. */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  // What the services refuse (admin API): a bad value, an unknown id; in
  // words that never repeat what was submitted.
  if (err instanceof UsageError) return new InvalidRequestError(err.publicMessage);
  if (err instanceof UnknownIdError) return new NotFoundError(err.publicMessage);
  if ((err as { validation?: unknown }).validation !== undefined) {
    return new InvalidRequestError((err as Error).message);
  }
  const fe = err as Partial<FastifyError>;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new PayloadTooLargeError('the request body is too large');
  }
  // Before the store check: what the client broke (an aborted upload) is its error.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new InvalidRequestError('the request is malformed');
  }
  if (isStoreUnavailable(err)) {
    return new TemporarilyUnavailableError(
      'the database is unavailable; try again shortly',
      STORE_RETRY_AFTER_SECONDS,
    );
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
  format?: 'json-api',
): FastifyReply {
  const standard = format === 'json-api' ? jsonApiErrorResponse(err) : standardErrorResponse(err);
  const shaped = profile?.shapeError?.(err, standard) ?? standard;
  reply.code(shaped.status).headers({ 'cache-control': 'no-store', ...shaped.headers });
  // A body with its own media type is serialised here: Fastify only serialises for JSON.
  return reply.send(
    // A Buffer, so Fastify adds no charset parameter (JSON:API forbids media type parameters).
    'content-type' in shaped.headers ? Buffer.from(JSON.stringify(shaped.body)) : shaped.body,
  );
}

/** On a JSON:API route, a body Fastify could not parse is first of all the wrong media type. */
function jsonApiParseError(err: unknown, req: FastifyRequest): OAuthError {
  if (err instanceof OAuthError) return err;
  const code = (err as Partial<FastifyError>).code;
  if (code !== 'FST_ERR_CTP_BODY_TOO_LARGE') {
    try {
      assertJsonApiContentType(req.headers['content-type']);
    } catch (mediaTypeError) {
      return mediaTypeError as UnsupportedMediaTypeError;
    }
  }
  return toOAuthError(err);
}

export function createErrorHandler(logger: Logger) {
  const logRefusal = createRefusalLog(logger);
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { profile, errorFormat } = req.routeOptions.config;
    const oauthError = errorFormat === 'json-api' ? jsonApiParseError(err, req) : toOAuthError(err);
    if (
      oauthError instanceof TemporarilyUnavailableError &&
      !(oauthError instanceof HashingBusyError)
    ) {
      // An outage fails every request alike: one line each, without a stack.
      // outcomeUnknown: the connection was lost with a COMMIT on its way, so
      // the change may have been made (docs/operations.md, "Database outages").
      const outcomeUnknown = err instanceof StoreUnavailableError && err.outcomeUnknown;
      logger.warn(
        {
          err: describeStoreError(err),
          path: req.routeOptions.url,
          ...(outcomeUnknown ? { outcomeUnknown } : {}),
        },
        'database unavailable',
      );
    } else if (oauthError.status >= 500) {
      logger.error({ err, path: req.routeOptions.url }, 'request failed');
    } else {
      logRefusal(req, oauthError);
    }
    return sendError(reply, oauthError, profile, errorFormat);
  };
}
