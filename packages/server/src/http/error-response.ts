import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import {
  InvalidRequestError,
  NotFoundError,
  OAuthError,
  PayloadTooLargeError,
  ServerError,
  TemporarilyUnavailableError,
  UnknownIdError,
  UsageError,
} from '../errors.js';
import { HashingBusyError } from '../secrets/hashing-gate.js';
import {
  describeStoreError,
  isStoreUnavailable,
  StoreUnavailableError,
} from '../store/store-unavailable.js';
import { createRefusalLog } from './refusal-log.js';

/** An error answer: status, body and headers. */
export interface ErrorResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/**
 * How a route answers errors, set in its config (`errorDialect`): the
 * extension point a profile fills for its paths and routes. Without one, a
 * route answers RFC 6749 §5.2 JSON.
 */
export interface ErrorDialect {
  /** Reshapes the RFC 6749 §5.2 answer (a body with a `content-type` header is sent as is). */
  shapeError?(error: OAuthError, standard: ErrorResponse): ErrorResponse;
  /**
   * Maps what failed before or outside the handler's own refusals (a body
   * Fastify could not parse); undefined: the standard mapping applies.
   */
  mapFrameworkError?(err: unknown, req: FastifyRequest): OAuthError | undefined;
}

/** The settings of the error handler (docs/configuration.md). */
export type ErrorHandlerSettings = Pick<
  Config,
  'dbUnavailableRetryAfterSeconds' | 'refusalLogRepeatWindowSeconds' | 'refusalLogMaxAddresses'
>;

/**
 * Maps what Fastify itself rejects (body too large, bad JSON, bad media type)
 * to OAuth errors; an unavailable database asks to retry after
 * `retryAfterSeconds`.
 */
export function toOAuthError(
  err: unknown,
  retryAfterSeconds: number = DEFAULTS.dbUnavailableRetryAfterSeconds,
): OAuthError {
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
      retryAfterSeconds,
    );
  }
  return new ServerError('internal error');
}

/** RFC 6749 §5.2 JSON error body; a 5xx body is always generic. */
export function standardErrorResponse(err: OAuthError): ErrorResponse {
  const body: Record<string, string> = { error: err.error };
  const description = err.publicDescription;
  if (description !== undefined) body.error_description = description;
  return { status: err.status, body, headers: { ...err.headers } };
}

export function sendError(
  reply: FastifyReply,
  err: OAuthError,
  dialect: ErrorDialect | undefined,
): FastifyReply {
  const standard = standardErrorResponse(err);
  const shaped = dialect?.shapeError?.(err, standard) ?? standard;
  reply.code(shaped.status).headers({ 'cache-control': 'no-store', ...shaped.headers });
  // A body with its own media type is serialised here: Fastify only serialises for JSON.
  return reply.send(
    // A Buffer, so Fastify adds no charset parameter (JSON:API forbids media type parameters).
    'content-type' in shaped.headers ? Buffer.from(JSON.stringify(shaped.body)) : shaped.body,
  );
}

export function createErrorHandler(logger: Logger, settings: ErrorHandlerSettings = DEFAULTS) {
  const logRefusal = createRefusalLog(logger, Date.now, {
    repeatWindowMs: settings.refusalLogRepeatWindowSeconds * 1000,
    maxRemembered: settings.refusalLogMaxAddresses,
  });
  const retryAfterSeconds = settings.dbUnavailableRetryAfterSeconds;
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { errorDialect } = req.routeOptions.config;
    const oauthError =
      errorDialect?.mapFrameworkError?.(err, req) ?? toOAuthError(err, retryAfterSeconds);
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
    return sendError(reply, oauthError, errorDialect);
  };
}
