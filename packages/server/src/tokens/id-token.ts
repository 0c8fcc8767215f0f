import { randomUUID } from 'node:crypto';
import { signCompactJws } from '../keys/compact-jws.js';
import type { SigningKeySource } from '../keys/key-ring.js';
import type { UserRecord } from '../store/types.js';

/** An OpenID Connect Core §2 ID token for the password grant. */
export function issueIdToken(
  deps: { keys: SigningKeySource },
  input: {
    issuer: string;
    user: UserRecord;
    clientId: string;
    authTime: number;
    ttlSeconds: number;
    issuedAt: number;
  },
): string {
  const signing = deps.keys.signingKey('ES256');
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
