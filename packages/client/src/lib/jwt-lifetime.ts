/**
 * The lifetime of a JWT access token that came without `expires_in`: `exp −
 * iat` when both are there, which depends on neither clock; otherwise `exp`
 * against this machine's wall clock (the Enectiva seed's tokens carry `exp`
 * only). Undefined when the token is no readable JWT or is already expired.
 * Nothing here trusts the token: it only decides when to ask for a new one.
 */
export function jwtLifetimeMs(token: string, wallNow = Date.now()): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  let claims: { exp?: unknown; iat?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return undefined;
  }
  if (typeof claims?.exp !== 'number' || !Number.isFinite(claims.exp)) return undefined;
  const ms =
    typeof claims.iat === 'number' && Number.isFinite(claims.iat)
      ? (claims.exp - claims.iat) * 1000
      : claims.exp * 1000 - wallNow;
  return ms > 0 ? ms : undefined;
}
