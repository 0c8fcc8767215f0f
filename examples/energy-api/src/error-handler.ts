import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, type ErrorStyle, sendApiError } from './error-style.js';

type SchemaError = NonNullable<FastifyError['validation']>[number];

/**
 * Answers every error the API's own routes raise in `style`: schema
 * failures as a 400 that names the field, what Fastify refuses (bad JSON,
 * wrong media type, too large) with its own 4xx, anything else as a 500 with
 * a generic body and the detail in the log only.
 *
 * @example
 * ```ts
 * installErrorHandlers(app, 'rfc6750');
 * // POST /meters/m-1001/readings {"at":"yesterday","kwh":1}
 * // -> 400 {"error":"invalid_request","error_description":"body.at must be an ISO 8601 date-time with a time zone, e.g. 2026-01-05T00:00:00Z"}
 * ```
 */
export function installErrorHandlers(app: FastifyInstance, style: ErrorStyle): void {
  app.setErrorHandler((err, request, reply) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) request.log.error({ err }, 'request failed');
    return sendApiError(reply, style, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendApiError(
      reply,
      style,
      new ApiError(404, 'not_found', `no route ${request.method} ${request.url.split('?', 1)[0]}`),
    ),
  );
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const fe = err as Partial<FastifyError>;
  if (fe.validation !== undefined && fe.validation.length > 0) {
    return new ApiError(400, 'invalid_request', describeSchemaError(fe));
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'payload_too_large', 'the request body is too large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'invalid_request', 'the JSON body is empty');
    // Also a body with `__proto__` or `constructor.prototype`: Fastify refuses prototype poisoning.
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, 'invalid_request', 'the body is not valid JSON');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ApiError(fe.statusCode, 'invalid_request', 'the request is malformed');
  }
  return new ApiError(500, 'server_error', 'internal error');
}

/** One sentence about the first thing wrong, e.g. `body[2].kwh must be >= 0`. */
function describeSchemaError(err: Partial<FastifyError>): string {
  const errors = err.validation ?? [];
  // The `if` keyword only reports that its `then` or `else` failed; the cause comes before it.
  const first = errors.find((e) => e.keyword !== 'if') ?? (errors[0] as SchemaError);
  const inBody = err.validationContext === 'body';
  const where = fieldName(inBody, first.instancePath);
  const params = first.params as Record<string, unknown>;
  switch (first.keyword) {
    case 'required':
      return `${child(where, String(params.missingProperty))} is required`;
    case 'additionalProperties':
      return inBody
        ? `${child(where, String(params.additionalProperty))} is not allowed`
        : `unknown ${err.validationContext === 'params' ? 'path' : 'query'} parameter ${String(params.additionalProperty)}`;
    case 'format':
      return `${where} must be an ISO 8601 date-time with a time zone, e.g. 2026-01-05T00:00:00Z`;
    case 'type':
      return `${where} must be of type ${String(params.type)}`;
    case 'minItems':
      return `${where} must hold at least ${String(params.limit)} reading`;
    case 'maxItems':
      return `${where} must hold at most ${String(params.limit)} readings`;
    default:
      return `${where} ${first.message ?? 'is invalid'}`;
  }
}

/** Body `/2/kwh` → `body[2].kwh`; query `/from` → `from`, and the query itself → ``. */
function fieldName(inBody: boolean, instancePath: string): string {
  const parts = instancePath.split('/').slice(1);
  if (!inBody) return parts.join('.');
  return parts.reduce(
    (name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : `${name}.${part}`),
    'body',
  );
}

const child = (where: string, property: string) =>
  where === '' ? property : `${where}.${property}`;
