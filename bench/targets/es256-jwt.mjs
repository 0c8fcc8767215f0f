// ES256 JWT signing with node:crypto only, shared by the `ceiling` and `oauth2-server` targets so
// both sign exactly the same way and the comparison is about the framework, not the signer.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';

const base64url = (value) => Buffer.from(value).toString('base64url');

export function createEs256Signer() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  // The header never changes, so it is encoded once.
  const encodedHeader = base64url(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid }));

  return function signJwt(claims) {
    const signingInput = `${encodedHeader}.${base64url(JSON.stringify(claims))}`;
    // JWS wants the raw r||s signature (IEEE P1363), not node's default DER encoding.
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${signingInput}.${signature.toString('base64url')}`;
  };
}

// The claims every peer puts in its access token (RFC 9068 shape), so payload sizes match.
export function accessTokenClaims({ issuer, audience, clientId, ttlSeconds }) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    sub: clientId,
    aud: audience,
    client_id: clientId,
    iat: now,
    exp: now + ttlSeconds,
    jti: randomUUID(),
  };
}
