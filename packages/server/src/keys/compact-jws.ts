import { type KeyObject, sign } from 'node:crypto';
import type { SigningAlgorithm } from './signing-key.js';

/**
 * Signs a JWT as an RFC 7515 compact JWS with node:crypto.
 *
 * Why not jose's `SignJWT`: on Node it signs through WebCrypto, which
 * measured about 4× slower for ES256 on this hardware (11k vs 42k
 * signatures/s, one core), and signing is the token endpoint's main cost.
 * Only the signing input is built here; every token is parsed and verified
 * with jose, in tests and in the verifier (see compact-jws.test.ts).
 */
export function signCompactJws(
  header: { alg: SigningAlgorithm; kid: string; typ: string },
  payload: object,
  key: KeyObject,
): string {
  const input = `${encodedHeader(header)}.${b64(JSON.stringify(payload))}`;
  const signature = sign('sha256', Buffer.from(input), {
    key,
    // RFC 7518 §3.4: ES256 signatures are R || S, not DER.
    ...(header.alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {}),
  });
  return `${input}.${signature.toString('base64url')}`;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * A key signs thousands of tokens with the same header, so each header is
 * encoded once (bounded: a few keys and types are in use at any time).
 */
const encodedHeaders = new Map<string, string>();
function encodedHeader(header: { alg: SigningAlgorithm; kid: string; typ: string }): string {
  const key = `${header.alg} ${header.kid} ${header.typ}`;
  let encoded = encodedHeaders.get(key);
  if (encoded === undefined) {
    if (encodedHeaders.size >= 64) encodedHeaders.clear();
    encoded = b64(JSON.stringify({ alg: header.alg, kid: header.kid, typ: header.typ }));
    encodedHeaders.set(key, encoded);
  }
  return encoded;
}
