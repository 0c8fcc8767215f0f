import type { FastifyError } from 'fastify';
import Negotiator from 'negotiator';
import { NotAcceptableError, OAuthError, UnsupportedMediaTypeError } from '../../errors.js';
import type { ErrorDialect, ErrorResponse } from '../../http/error-response.js';

export const JSON_API_TYPE = 'application/vnd.api+json';

/** JSON:API §Content Negotiation: the JSON:API media type, with no media type parameters. */
export function assertJsonApiContentType(contentType: string | undefined): void {
  if (contentType?.trim().toLowerCase() !== JSON_API_TYPE) {
    throw new UnsupportedMediaTypeError(`Content-Type must be ${JSON_API_TYPE} without parameters`);
  }
}

/**
 * JSON:API §Content Negotiation: 406 when the Accept header admits no
 * JSON:API response, or names the JSON:API media type only with parameters.
 */
export function assertAcceptsJsonApi(accept: string | undefined): void {
  if (accept === undefined || accept.trim() === '') return;
  const ranges = accept.split(',').map((r) => r.split(';').map((p) => p.trim().toLowerCase()));
  const jsonApi = ranges.filter(([type]) => type === JSON_API_TYPE);
  const allModified =
    jsonApi.length > 0 &&
    jsonApi.every((params) => params.slice(1).some((p) => !p.startsWith('q=')));
  const negotiated = new Negotiator({ headers: { accept } }).mediaType([JSON_API_TYPE]);
  if (allModified || negotiated === undefined) {
    throw new NotAcceptableError(`the Accept header must admit ${JSON_API_TYPE}`);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A JSON:API error document: `errors[]` with `status`, `code`, `title`, `detail`. */
export function jsonApiErrorResponse(err: OAuthError): ErrorResponse {
  return {
    status: err.status,
    body: {
      errors: [
        {
          status: String(err.status),
          code: err.error,
          title: TITLES[err.status] ?? 'Error',
          detail: err.publicDescription ?? 'internal error',
        },
      ],
    },
    headers: { ...err.headers, 'content-type': JSON_API_TYPE },
  };
}

/**
 * Errors on the JSON:API routes: JSON:API error documents, and a body
 * Fastify could not parse is first of all the wrong media type (415).
 */
export const jsonApiErrors: ErrorDialect = {
  shapeError: (err) => jsonApiErrorResponse(err),
  mapFrameworkError(err, req) {
    if (err instanceof OAuthError) return undefined;
    if ((err as Partial<FastifyError>).code === 'FST_ERR_CTP_BODY_TOO_LARGE') return undefined;
    try {
      assertJsonApiContentType(req.headers['content-type']);
    } catch (mediaTypeError) {
      return mediaTypeError as UnsupportedMediaTypeError;
    }
    return undefined;
  },
};
