// client_secret_basic helpers for the peer targets that do not bring their own
// (RFC 6749 §2.3.1: Basic base64(urlencode(id) ":" urlencode(secret))).
import { createHash, timingSafeEqual } from 'node:crypto';

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
