import { InvalidScopeError } from '../errors.js';
import { isScopeToken } from '../lib/scope-token.js';

/**
 * RFC 6749 §3.3: the requested scope must lie within what the client may
 * have; no `scope` means all of it.
 */
export function resolveScope(requested: string | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed];
  const scopes = [...new Set(requested.split(' ').filter(Boolean))];
  if (scopes.length === 0 || scopes.some((s) => !isScopeToken(s))) {
    throw new InvalidScopeError('scope is malformed');
  }
  if (scopes.some((s) => !allowed.includes(s))) {
    throw new InvalidScopeError('the requested scope exceeds what this client may have');
  }
  return scopes;
}
