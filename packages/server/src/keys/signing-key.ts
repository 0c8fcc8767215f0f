import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';
import type { SigningKeyRecord } from '../store/types.js';

export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

const generateKeyPairOffThread = promisify(generateKeyPair);

/** A key pair and the algorithm it is for, before it is sealed. */
export interface SigningKeyPair {
  alg: SigningAlgorithm;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/**
 * A new key pair, made on libuv's thread pool: an RSA key costs 0.1 to over
 * 1 s of CPU, which would otherwise hold the event loop of a running server
 * (a rotation from the admin API) and every request and database connection
 * waiting on it.
 */
async function generatePair(alg: SigningAlgorithm): Promise<SigningKeyPair> {
  const pair =
    alg === 'ES256'
      ? await generateKeyPairOffThread('ec', { namedCurve: 'P-256' })
      : await generateKeyPairOffThread('rsa', { modulusLength: 2048 });
  return { alg, ...pair };
}

/** RFC 7638 JWK thumbprint: a kid that names the key itself. */
function thumbprint(jwk: Record<string, unknown>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['e', 'kty', 'n'];
  const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

function encrypt(kek: Buffer, kid: string, plaintext: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  // The kid as associated data: a ciphertext moved to another row fails to open.
  cipher.setAAD(Buffer.from(kid));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

function decrypt(kek: Buffer, kid: string, sealed: string): Buffer {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (iv?.length !== 12 || tag?.length !== 16 || body === undefined) {
    throw new Error(`signing key ${kid} is not in the expected sealed form`);
  }
  const decipher = createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(kid));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

/** A new key pair, its private half sealed with the key-encryption key. */
export async function generateSigningKey(
  alg: SigningAlgorithm,
  kek: Buffer,
  times: { now: number; activeFrom: number },
): Promise<SigningKeyRecord> {
  return sealSigningKey(await generatePair(alg), kek, times);
}

/** The record of a key pair, named by its thumbprint, its private half sealed with the key-encryption key. */
export function sealSigningKey(
  { alg, publicKey, privateKey }: SigningKeyPair,
  kek: Buffer,
  times: { now: number; activeFrom: number },
): SigningKeyRecord {
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = thumbprint(jwk);
  const publicJwk = { ...jwk, kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    number: null,
    publicJwk: JSON.stringify(publicJwk),
    privateKeyEnc: encrypt(kek, kid, privateKey.export({ format: 'der', type: 'pkcs8' })),
    createdAt: times.now,
    activeFrom: times.activeFrom,
    retiredAt: null,
    publishedUntil: null,
  };
}

export interface OpenedSigningKey {
  privateKey: KeyObject;
  /** Derived from the private key: a public key planted in the database is never published. */
  publicJwk: Record<string, unknown>;
}

/**
 * Unseals a stored key and checks that its kid is the thumbprint of the key
 * inside: a row whose public half or kid was changed in the database fails.
 */
export function openSigningKey(record: SigningKeyRecord, kek: Buffer): OpenedSigningKey {
  const privateKey = createPrivateKey({
    key: decrypt(kek, record.kid, record.privateKeyEnc),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  if (thumbprint(jwk) !== record.kid)
    throw new Error(`signing key ${record.kid} does not match its kid`);
  return { privateKey, publicJwk: { ...jwk, kid: record.kid, alg: record.alg, use: 'sig' } };
}

/**
 * Until when a key stays in the JWKS: null while it signs; once retired, as
 * long as the longest access token it may have signed, or a PAT it signed.
 */
export function publishedUntil(key: SigningKeyRecord, maxTokenTtlSeconds: number): number | null {
  if (key.retiredAt === null) return null;
  return Math.max(key.retiredAt + maxTokenTtlSeconds, key.publishedUntil ?? 0);
}
