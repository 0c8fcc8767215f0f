import type { ErrorStyle } from '@gridkey/verify';
import type { FastifyReply } from 'fastify';

export type { ErrorStyle };

/** The error presets of `@gridkey/verify`; the API answers its own errors in the same shape. */
export const ERROR_STYLES = Object.freeze([
  'rfc6750',
  'edrv',
  'jsonapi',
] as const satisfies readonly ErrorStyle[]);

/** JSON:API error titles, as the verifier's jsonapi preset gives one per code. */
const TITLES: Record<number, string> = {
  400: 'Invalid request',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  500: 'Internal error',
};

/**
 * A refusal by the API itself (not by the verifier): bad input, an unknown
 * meter, a duplicate reading. `code` is stable; `message` is for people.
 *
 * @example
 * ```ts
 * throw new ApiError(404, 'not_found', 'no meter with id m-9999');
 * ```
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Sends `err` in the configured style, so that a client of an eDRV- or
 * Enectiva-style API sees one error shape whether the verifier or the API
 * refused it.
 *
 * @example
 * ```ts
 * return sendApiError(reply, 'edrv', new ApiError(400, 'invalid_request', 'from is required'));
 * // 400 {"ok":false,"message":"from is required","result":null}
 * ```
 */
export function sendApiError(reply: FastifyReply, style: ErrorStyle, err: ApiError): FastifyReply {
  reply.code(err.status);
  switch (style) {
    case 'rfc6750':
      // The RFC 6749 §5.2 members that the verifier's rfc6750 preset also uses.
      return reply.send({ error: err.code, error_description: err.message });
    case 'edrv':
      return reply.send({ ok: false, message: err.message, result: null });
    case 'jsonapi':
      // JSON:API §7: an error object's status is a string. The media type goes
      // without parameters (JSON:API §5.1); an own serializer keeps Fastify from adding a charset.
      return reply
        .type('application/vnd.api+json')
        .serializer(JSON.stringify)
        .send({
          errors: [
            {
              status: String(err.status),
              code: err.code,
              title: TITLES[err.status] ?? 'Error',
              detail: err.message,
            },
          ],
        });
  }
}
