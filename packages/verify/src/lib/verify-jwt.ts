import { type CryptoKey, errors, type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose';
import { VerifyError } from '../errors.js';
import type { VerifiedAccessToken, VerifiedPat } from '../types.js';
import type { CheckedHeader } from './header-checks.js';
import type { StringPool } from './string-pool.js';

/** What the cache keeps of a verified JWT: the answer and what each hit re-checks. */
export interface VerifiedJwt {
  token: VerifiedAccessToken | VerifiedPat;
  kid: string;
}

export interface JwtCheckSettings {
  issuer: string;
  audience: readonly string[] | undefined;
  clockToleranceSeconds: number;
  /** Shares the claim values that repeat across cached tokens. */
  pool: StringPool;
}

/** jose's errors, as the stable codes of `VerifyError`. */
function mapJoseError(err: unknown): unknown {
  if (err instanceof VerifyError || !(err instanceof errors.JOSEError)) return err;
  if (err instanceof errors.JWTExpired) {
    return new VerifyError('expired', 'the token has expired', { cause: err });
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' && err.reason === 'check_failed') {
      return new VerifyError('not_yet_valid', 'the token is not valid yet', { cause: err });
    }
    return new VerifyError('invalid_claims', `the token's ${err.claim} claim is not acceptable`, {
      cause: err,
    });
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new VerifyError('invalid_signature', 'the token signature is invalid', { cause: err });
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new VerifyError('unsupported_algorithm', 'the token algorithm is not supported', {
      cause: err,
    });
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new VerifyError('unknown_key', 'no key in the key set matches the token', {
      cause: err,
    });
  }
  return new VerifyError('malformed', 'the token is malformed', { cause: err });
}

const invalidClaim = (claim: string) =>
  new VerifyError('invalid_claims', `the token's ${claim} claim is not acceptable`);

function stringClaim(payload: JWTPayload, claim: string): string {
  const value = payload[claim];
  if (typeof value !== 'string' || value === '') throw invalidClaim(claim);
  return value;
}

/** `scope` (RFC 9068 §2.2.3, space-separated) or the Enectiva dialect's `scp` array. */
export function scopesOfClaims(payload: JWTPayload, pool: StringPool): readonly string[] {
  if (payload.scope !== undefined) {
    if (typeof payload.scope !== 'string') throw invalidClaim('scope');
    return pool.scopeList(payload.scope);
  }
  if (payload.scp !== undefined) {
    if (!Array.isArray(payload.scp) || !payload.scp.every((s) => typeof s === 'string')) {
      throw invalidClaim('scp');
    }
    return pool.internList([...new Set(payload.scp as string[])]);
  }
  return pool.internList([]);
}

/** Claims whose values are unique per token: not worth pooling. */
const UNIQUE_CLAIMS = new Set(['jti', 'jit', 'iat', 'exp', 'nbf']);

/** Replaces repeated string values (and lists of them) by their pooled copies. */
function poolClaims(payload: JWTPayload, pool: StringPool): void {
  for (const name in payload) {
    if (UNIQUE_CLAIMS.has(name)) continue;
    const value = payload[name];
    if (typeof value === 'string') payload[name] = pool.intern(value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      payload[name] = pool.internList(value);
    }
  }
}

function shapeOf(
  checked: CheckedHeader,
  payload: JWTPayload,
  scopes: readonly string[],
  pool: StringPool,
): VerifiedAccessToken | VerifiedPat {
  poolClaims(payload, pool);
  const claims = Object.freeze(payload);
  const subject = stringClaim(payload, 'sub');
  const jti = stringClaim(payload, 'jti');
  const expiresAt = payload.exp as number;
  // One object literal per shape, no spreads: this runs for every token not
  // cached yet, and building it in one step is measurably cheaper.
  if (checked.kind === 'pat') {
    const name = stringClaim(payload, 'name');
    const role = stringClaim(payload, 'role');
    return Object.freeze({ kind: 'pat', subject, scopes, jti, expiresAt, claims, name, role });
  }
  const clientId = payload.client_id;
  if (clientId === undefined) {
    return Object.freeze({ kind: 'access_token', subject, scopes, jti, expiresAt, claims });
  }
  if (typeof clientId !== 'string') throw invalidClaim('client_id');
  return Object.freeze({ kind: 'access_token', subject, scopes, jti, expiresAt, claims, clientId });
}

/**
 * The signature and the claims, by jose: issuer, audience (access tokens
 * only; a PAT has none), algorithm, `typ`, `exp` and `nbf` with the
 * configured leeway. jose treats a token as expired when `exp <= now`
 * (RFC 7519 §4.1.4: "on or after"), which is the Enectiva seed's rule too.
 */
export function verifyJwt(
  token: string,
  checked: CheckedHeader,
  key: CryptoKey | Promise<CryptoKey>,
  algorithms: readonly string[],
  settings: JwtCheckSettings,
): Promise<VerifiedJwt> {
  // The key is jwks-cache.ts's answer for this very header; jose parses
  // the header again from the same segment and checks the key against its
  // `alg` (RFC 7515 §5.2 step 8). Once the key is known it comes as a value,
  // and this path builds no closure of its own. The allowlist is this
  // call's own (the one its header was checked against), so a call that
  // waits for its key is not judged by a list a later call brought.
  const options = joseOptions(settings, algorithms, checked);
  if (key instanceof Promise) {
    return key.then(
      (resolved) => verifyWithKey(token, checked, resolved, options, settings.pool),
      throwMapped,
    );
  }
  return verifyWithKey(token, checked, key, options, settings.pool);
}

function verifyWithKey(
  token: string,
  checked: CheckedHeader,
  key: CryptoKey,
  options: JWTVerifyOptions,
  pool: StringPool,
): Promise<VerifiedJwt> {
  // A promise chain, not an async function awaiting jose: one promise and
  // one turn fewer on the path of every token not cached yet.
  return jwtVerify(token, key, options).then(
    ({ payload }) => ({
      token: shapeOf(checked, payload, scopesOfClaims(payload, pool), pool),
      kid: pool.intern(checked.kid),
    }),
    throwMapped,
  );
}

const throwMapped = (err: unknown): never => {
  throw mapJoseError(err);
};

/** jose's options per allowlist and kind, built once: they are the same on every call. */
const optionsCache = new WeakMap<
  JwtCheckSettings,
  { algorithms: readonly string[]; byTyp: Map<string, JWTVerifyOptions> }
>();

function joseOptions(
  settings: JwtCheckSettings,
  algorithms: readonly string[],
  checked: CheckedHeader,
): JWTVerifyOptions {
  let cached = optionsCache.get(settings);
  if (cached === undefined || cached.algorithms !== algorithms) {
    cached = { algorithms, byTyp: new Map() };
    optionsCache.set(settings, cached);
  }
  let options = cached.byTyp.get(checked.typ);
  if (options === undefined) {
    options = Object.freeze({
      issuer: settings.issuer,
      ...(checked.kind === 'access_token' && settings.audience !== undefined
        ? { audience: [...settings.audience] }
        : {}),
      algorithms: [...algorithms],
      typ: checked.typ,
      clockTolerance: settings.clockToleranceSeconds,
      requiredClaims: ['exp', 'jti', 'sub'],
    });
    cached.byTyp.set(checked.typ, options);
  }
  return options;
}
