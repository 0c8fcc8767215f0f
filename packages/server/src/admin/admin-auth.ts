import type { FastifyRequest } from 'fastify';
import { InsufficientScopeError, InvalidTokenError } from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import type { PatRecord } from '../store/types.js';
import type { PatInterface } from '../tokens/pats.js';

/** The admin page says so in `X-Gridkey-Interface: web`; anything else is the JSON API. */
export const interfaceOf = (req: FastifyRequest): PatInterface =>
  req.headers['x-gridkey-interface'] === 'web' ? 'web' : 'api';

/**
 * RFC 6750 bearer authentication for the admin API: an active PAT with role
 * `admin`, authorised for the interface it is used on. 401 otherwise, 403
 * for another role.
 */
export async function authenticateAdmin(gk: Gridkey, req: FastifyRequest): Promise<PatRecord> {
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(req.headers.authorization?.trim() ?? '');
  if (match?.[1] === undefined)
    throw new InvalidTokenError('an admin token is required (Authorization: Bearer …)');
  const result = await gk.pats.authenticate(match[1], interfaceOf(req));
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
