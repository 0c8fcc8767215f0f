import type { ProtectedHeaderParameters } from 'jose';
import { ACCESS_TOKEN_TYP } from '../../tokens/access-token.js';
import { PAT_TYP } from '../../tokens/pats.js';

/** What `gridkey inspect` can tell a token to be, from its `typ`. */
export type TokenKind = 'access_token' | 'pat' | 'id_token' | 'unknown';

const KINDS: ReadonlyMap<string, TokenKind> = new Map([
  [ACCESS_TOKEN_TYP, 'access_token'],
  [PAT_TYP, 'pat'],
  // tokens/id-token.ts: the password grant's ID token says `typ: JWT`.
  ['jwt', 'id_token'],
]);

const LABELS: Record<TokenKind, string> = {
  access_token: 'access token',
  pat: 'personal access token',
  id_token: 'ID token, not an access token',
  unknown: 'unknown kind',
};

/**
 * The kind a JWT header declares. RFC 7515 §4.1.9: `typ` is a media type,
 * compared without case and with `application/` implied (RFC 9068 §2.1).
 *
 * @example
 * kindOfHeader({ alg: 'ES256', typ: 'at+jwt' }); // 'access_token'
 */
export function kindOfHeader(header: ProtectedHeaderParameters): TokenKind {
  if (typeof header.typ !== 'string') return 'unknown';
  const typ = header.typ.toLowerCase().replace(/^application\//, '');
  return KINDS.get(typ) ?? 'unknown';
}

/** One line for people: the kind and the `typ` it was read from. */
export function describeKind(kind: TokenKind, header: ProtectedHeaderParameters): string {
  const typ = typeof header.typ === 'string' ? `typ ${header.typ}` : 'no typ';
  return `${LABELS[kind]} (${typ})`;
}
