import type { FastifyRequest } from 'fastify';
import {
  BearerTokenRequiredError,
  InsufficientScopeError,
  InvalidBearerRequestError,
  InvalidTokenError,
} from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import type { PatRecord } from '../store/types.js';
import type { PatInterface } from '../tokens/pats.js';

/** The admin page says so in `X-Gridkey-Interface: web`; anything else is the JSON API. */
export const interfaceOf = (req: FastifyRequest): PatInterface =>
  req.headers['x-gridkey-interface'] === 'web' ? 'web' : 'api';

/** RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token` (the scheme case-insensitive, RFC 9110 §11.1). */
const BEARER_SCHEME = /^bearer(?=$|[ \t])/i;
const BEARER_CREDENTIALS = /^ +([A-Za-z0-9\-._~+/]+=*)$/;

/**
 * The token of an `Authorization: Bearer` header. RFC 6750 §3.1: no
 * credentials (no header, or another scheme) is a challenge without an error
 * code; a Bearer header that breaks the grammar is `invalid_request`.
 */
export function bearerTokenOf(req: FastifyRequest): string {
  // RFC 9110 §5.5: surrounding whitespace is not part of the field value.
  const header = req.headers.authorization?.trim() ?? '';
  if (!BEARER_SCHEME.test(header)) {
    throw new BearerTokenRequiredError('an admin token is required (Authorization: Bearer)');
  }
  const token = BEARER_CREDENTIALS.exec(header.slice('bearer'.length))?.[1];
  if (token === undefined) {
    throw new InvalidBearerRequestError(
      'the Authorization header must be Bearer followed by one token',
    );
  }
  return token;
}

/**
 * RFC 6750 bearer authentication for the admin API: an active PAT with role
 * `admin`, authorised for the interface it is used on. 401 otherwise, 403
 * for another role, 400 for a malformed header.
 */
export async function authenticateAdmin(gk: Gridkey, req: FastifyRequest): Promise<PatRecord> {
  const result = await gk.pats.authenticate(bearerTokenOf(req), interfaceOf(req));
  if ('refused' in result) throw new InvalidTokenError(result.refused);
  // The whole role, not a narrowed admin token: whoever can use the admin API
  // can mint any token, so only a token that already holds everything may.
  if (result.pat.role !== 'admin' || !result.pat.scopes.includes('*')) {
    throw new InsufficientScopeError(
      'the admin API needs a token with role admin and its full scope',
    );
  }
  return result.pat;
}

/** How the audit log names an admin: the PAT's id and name, never the token. */
export const actorOf = (pat: PatRecord) => `pat:${pat.id} (${pat.name})`;
