// What the peer targets share, so that they differ only in their framework: the settings the
// harness hands them, client_secret_basic checking, and one ES256 JWT signer (used by `ceiling`
// and `oauth2-server`; oidc-provider signs with its own JOSE code).
import { createHash, generateKeyPairSync, randomUUID, sign, timingSafeEqual } from 'node:crypto';

// ─── Settings from the harness: where to listen and the one client to accept ──────────────────
// Targets bind to loopback only.
export const HOST = '127.0.0.1';
export const AUDIENCE = 'urn:gridkey:bench';
export const TOKEN_TTL_SECONDS = 3600;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
}

export function readTargetSettings() {
  const port = Number(required('PORT'));
  return {
    port,
    issuer: `http://${HOST}:${port}`,
    clientId: required('BENCH_CLIENT_ID'),
    clientSecret: required('BENCH_CLIENT_SECRET'),
  };
}

// ─── client_secret_basic (RFC 6749 §2.3.1: Basic base64(urlencode(id) ":" urlencode(secret))) ─
const digest = (value) => createHash('sha256').update(value).digest();

// Returns { clientId, clientSecret } or null when the header is absent or malformed.
export function parseBasicCredentials(authorization) {
  if (typeof authorization !== 'string' || !authorization.startsWith('Basic ')) return null;
  const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
    };
  } catch {
    return null;
  }
}

// Compares secrets in constant time; hashing first makes the lengths equal.
export function createSecretCheck(expectedSecret) {
  const expected = digest(expectedSecret);
  return (candidate) => timingSafeEqual(expected, digest(candidate));
}

// ─── ES256 JWTs with node:crypto only ──────────────────────────────────────────────────────────
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
