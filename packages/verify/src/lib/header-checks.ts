import { decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { VerifyError } from '../errors.js';

export type JwtKind = 'access_token' | 'pat';

export interface CheckedHeader {
  kind: JwtKind;
  /** The media type jose must see in `typ`. */
  typ: 'at+jwt' | 'pat+jwt';
  alg: string;
  kid: string;
  header: ProtectedHeaderParameters;
}

/** Longer tokens are refused unread; gridkey's are well under 2 KiB. */
export const MAX_TOKEN_CHARS = 16 * 1024;

/**
 * Header parameters that point at key material or change how the JWS is
 * processed. gridkey never sets them, and trusting any of them lets the token
 * choose its own key or make us fetch one (RFC 8725 §3.10; RFC 7515 §4.1.3-4.1.8,
 * §4.1.11 for `crit`, which a verifier must reject unless it implements the extension).
 */
const REFUSED_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit', 'b64'] as const;

/** gridkey's kids are RFC 7638 thumbprints: base64url, 43 characters. */
const KID = /^[A-Za-z0-9_-]{1,128}$/;

/** RFC 7515 §4.1.9: `typ` is a media type, case-insensitive, its `application/` optional. */
function normaliseTyp(typ: unknown): string | undefined {
  if (typeof typ !== 'string') return undefined;
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** base64url (RFC 7515 §2), no padding, whitespace or other characters, from `lastIndex` to the end. */
const BASE64URL_TO_END = /[A-Za-z0-9_-]*$/y;

/** Whether `text` from `start` to its end is base64url characters only (sticky: no copy). */
function isBase64url(text: string, start = 0): boolean {
  BASE64URL_TO_END.lastIndex = start;
  return BASE64URL_TO_END.test(text);
}

/**
 * The characters that may end a base64url segment of `length % 4` = 2 or 3
 * characters: those whose unused low bits (4 or 2) are zero. Decoders drop
 * those bits, so any other last character spells the same bytes again.
 */
const LAST_OF_2 = 'AQgw';
const LAST_OF_3 = 'AEIMQUYcgkosw048';

/** Whether `text` from `start` to its end is the one base64url spelling of its bytes. */
function isCanonicalBase64url(text: string, start: number): boolean {
  if (!isBase64url(text, start)) return false;
  const rest = (text.length - start) % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  return (rest === 2 ? LAST_OF_2 : LAST_OF_3).includes(text.charAt(text.length - 1));
}

/**
 * The compact JWS's first segment, or `malformed` when the token is not
 * three segments or its signature is not the one base64url spelling of its
 * bytes. jose decodes segments with `atob`, which skips whitespace, takes
 * padding and drops the unused bits of the last character, so without this
 * check one signature verifies under many spellings of the token (`s==`, a
 * space or line break inside `s`, 16 different last characters of an ES256
 * signature), each its own cache entry and signature check. The payload
 * needs no such check: jose verifies the signature over its text as sent,
 * so any other spelling fails. The header is checked (`checkSegment`)
 * because it is decoded and used to find the key before any signature check.
 */
function protectedSegment(token: string): string {
  if (token.length > MAX_TOKEN_CHARS) throw new VerifyError('malformed', 'the token is too long');
  // RFC 7515 §7.1: a compact JWS is three segments. Only the first is
  // decoded here; jose parses the whole token when it verifies it.
  const dot = token.indexOf('.');
  const second = dot === -1 ? -1 : token.indexOf('.', dot + 1);
  if (second === -1 || token.includes('.', second + 1)) {
    throw new VerifyError('malformed', 'the token is not a JWT');
  }
  if (!isCanonicalBase64url(token, second + 1)) {
    throw new VerifyError('malformed', 'the token signature is not base64url');
  }
  return token.slice(0, dot);
}

/** The header checks proper, on the decoded first segment. */
function checkSegment(segment: string, algorithms: readonly string[]): CheckedHeader {
  if (!isBase64url(segment)) {
    throw new VerifyError('malformed', 'the token header is not base64url');
  }
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader({ protected: segment });
  } catch (err) {
    throw new VerifyError('malformed', 'the token is not a JWT', { cause: err });
  }
  const { alg } = header;
  // RFC 8725 §3.1: the verifier, not the token, picks the algorithms.
  if (typeof alg !== 'string' || !algorithms.includes(alg)) {
    throw new VerifyError(
      'unsupported_algorithm',
      'the token is signed with an algorithm not allowed',
    );
  }
  for (const name of REFUSED_HEADERS) {
    if (Object.hasOwn(header, name)) {
      throw new VerifyError('malformed', `the token header carries a refused parameter (${name})`);
    }
  }
  const { kid } = header;
  if (typeof kid !== 'string' || !KID.test(kid)) {
    throw new VerifyError('malformed', 'the token header has no well-formed kid');
  }
  const typ = normaliseTyp(header.typ);
  Object.freeze(header);
  if (typ === 'at+jwt') return Object.freeze({ kind: 'access_token', typ, alg, kid, header });
  if (typ === 'pat+jwt') return Object.freeze({ kind: 'pat', typ, alg, kid, header });
  throw new VerifyError('wrong_type', 'the token is not an access token (typ)');
}

/**
 * Everything decided from the protected header, before any key look-up or
 * fetch: the algorithm against the allowlist, refused parameters, the `kid`'s
 * form and the kind of token its `typ` names (RFC 9068 §2.1: `at+jwt`; a PAT
 * is `pat+jwt`; an ID token's `JWT` is neither, RFC 8725 §3.11).
 */
export function checkHeader(token: string, algorithms: readonly string[]): CheckedHeader {
  return checkSegment(protectedSegment(token), algorithms);
}

/** Headers remembered at most; past it the memo starts again (a flood costs no memory). */
const MAX_REMEMBERED_HEADERS = 64;

/**
 * `checkHeader` with a memo of the headers that passed. An issuer's tokens
 * share a handful of protected headers (one per key and kind), so nearly
 * every token's first segment is one already checked: the memo skips its
 * base64url and JSON decoding, which jose repeats anyway when it verifies.
 * Only passing results are kept, keyed by the exact segment and valid for
 * one allowlist (a new one empties the memo), so the answer is the same as
 * `checkHeader`'s; the token's length and segment count are checked each time.
 */
export class HeaderChecker {
  private readonly passed = new Map<string, CheckedHeader>();
  private algorithms: readonly string[] | undefined;

  /** How many passing headers are remembered now (at most 64). */
  get remembered(): number {
    return this.passed.size;
  }

  check(token: string, algorithms: readonly string[]): CheckedHeader {
    const segment = protectedSegment(token);
    if (algorithms !== this.algorithms) {
      this.passed.clear();
      this.algorithms = algorithms;
    }
    const known = this.passed.get(segment);
    if (known !== undefined) return known;
    const checked = checkSegment(segment, algorithms);
    if (this.passed.size >= MAX_REMEMBERED_HEADERS) this.passed.clear();
    this.passed.set(segment, checked);
    return checked;
  }
}
