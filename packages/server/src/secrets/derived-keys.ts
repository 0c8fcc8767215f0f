import { createHmac, hkdfSync } from 'node:crypto';

/** Keys derived from the master key, one per purpose (RFC 5869 HKDF-SHA-256). */
export interface DerivedKeys {
  /** HMAC key for stored hashes of generated secrets. */
  readonly pepper: Buffer;
  /** AES-256-GCM key for signing keys at rest. */
  readonly keyEncryptionKey: Buffer;
  /** Stored in the database so a wrong master key is caught at start. */
  readonly checkValue: string;
}

const derive = (master: Buffer, info: string) =>
  Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `gridkey/${info}`, 32));

export function deriveKeys(master: Buffer): DerivedKeys {
  const check = derive(master, 'check-v1');
  return Object.freeze({
    pepper: derive(master, 'secret-pepper-v1'),
    keyEncryptionKey: derive(master, 'signing-key-encryption-v1'),
    checkValue: createHmac('sha256', check).update('gridkey master key check').digest('hex'),
  });
}
