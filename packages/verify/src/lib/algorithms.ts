/**
 * The asymmetric JWS algorithms (RFC 7518 §3, RFC 8037). `none` and the HMAC
 * family are never accepted: a verifier holding only public keys must not
 * let a token pick a shared-secret algorithm (RFC 8725 §2.1, §3.1).
 */
export const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

/** The `algorithms` option: a non-empty list of asymmetric algorithms. */
export function checkAlgorithms(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError('algorithms must be a non-empty array of JWS algorithm names');
  }
  for (const alg of value) {
    if (typeof alg !== 'string' || !ASYMMETRIC_ALGORITHMS.has(alg)) {
      throw new TypeError(
        `algorithms: ${JSON.stringify(alg)} is not allowed; use RS*, PS*, ES* or EdDSA`,
      );
    }
  }
  return Object.freeze([...new Set(value as string[])]);
}

/** The default allowlist: the asymmetric `alg`s a key set publishes. */
export function algorithmsOfKeys(keys: readonly { alg?: unknown }[]): string[] {
  const found = new Set<string>();
  for (const key of keys) {
    if (typeof key.alg === 'string' && ASYMMETRIC_ALGORITHMS.has(key.alg)) found.add(key.alg);
  }
  return [...found];
}
