import { randomUUID } from 'node:crypto';
import type { Gridkey } from '../gridkey.js';
import { signCompactJws } from '../keys/compact-jws.js';
import type { UserRecord } from '../store/types.js';

/** An OpenID Connect Core §2 ID token for the password grant. */
export function issueIdToken(
  gk: Gridkey,
  input: {
    issuer: string;
    user: UserRecord;
    clientId: string;
    authTime: number;
    ttlSeconds: number;
    issuedAt: number;
  },
): string {
  const signing = gk.keys.signingKey('ES256');
  const iat = input.issuedAt;
  const claims = {
    iss: input.issuer,
    sub: input.user.id,
    aud: input.clientId,
    iat,
    exp: iat + input.ttlSeconds,
    auth_time: input.authTime,
    email: input.user.email,
    jti: randomUUID(),
  };
  return signCompactJws({ alg: signing.alg, kid: signing.kid, typ: 'JWT' }, claims, signing.key);
}
