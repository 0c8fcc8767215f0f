import { randomBytes, randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import baseX from 'base-x';
import { InvalidFieldError, UnknownIdError } from '../errors.js';
import type { EventSink } from '../events.js';
import { type Clock, nowSeconds } from '../lib/clock.js';
import { isoOrNull } from '../lib/iso-time.js';
import { assertPrintable } from '../lib/printable.js';
import { hashSecret } from '../secrets/secret-hash.js';
import type { ApiKeyRecord, Store } from '../store/types.js';

const base62 = baseX('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');

export const API_KEY_PREFIX = 'gk_';
const RANDOM_CHARS = 43; // 256 bits in base62
const CHECKSUM_CHARS = 6; // a CRC32 in base62
const FORMAT = /^gk_[0-9A-Za-z]{49}$/;

const checksumOf = (body: string) =>
  base62.encode(toBytes(crc32(body))).padStart(CHECKSUM_CHARS, '0');

function toBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, n >>> 0);
  return bytes;
}

/**
 * `gk_` + 256 random bits in base62 + a base62 CRC32 of what precedes it:
 * a secret scanner can recognise a leaked key and check it offline, and a
 * mistyped key is refused without a database look-up.
 */
export function generateApiKey(): string {
  const body = `${API_KEY_PREFIX}${base62.encode(randomBytes(32)).padStart(RANDOM_CHARS, '0')}`;
  return `${body}${checksumOf(body)}`;
}

/** Format and checksum only: true says nothing about whether the key exists. */
export function isWellFormedApiKey(key: string): boolean {
  if (!FORMAT.test(key)) return false;
  const body = key.slice(0, -CHECKSUM_CHARS);
  return checksumOf(body) === key.slice(-CHECKSUM_CHARS);
}

/** What {@link ApiKeys} uses. */
export interface ApiKeysDeps {
  store: Pick<Store, 'apiKeys'>;
  pepper: Buffer;
  clock: Clock;
  /** Told of each accepted key (`credential.used`), for usage counts. */
  events?: EventSink;
}

/** Long-lived keys for API consumers (what the edrv seed recommends over OAuth tokens). */
export class ApiKeys {
  constructor(private readonly deps: ApiKeysDeps) {}

  async create(input: { name: string; scopes: readonly string[]; expiresAt?: number }) {
    const name = input.name.trim();
    if (name === '' || name.length > 200)
      throw new InvalidFieldError('name', 'must be 1 to 200 characters');
    assertPrintable(name, 'an API key name');
    const key = generateApiKey();
    const record: ApiKeyRecord = {
      id: randomUUID(),
      name,
      keyHash: hashSecret(this.deps.pepper, key),
      keyPrefix: key.slice(0, 7),
      keyLast4: key.slice(-4),
      scopes: [...new Set(input.scopes)],
      createdAt: nowSeconds(this.deps.clock),
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.deps.store.apiKeys.insert(record);
    return { record, key };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.deps.store.apiKeys.list();
  }

  async revoke(id: string): Promise<'revoked' | 'already_revoked'> {
    const result = await this.deps.store.apiKeys.revoke(id, nowSeconds(this.deps.clock));
    if (result === 'not_found')
      throw new UnknownIdError(`no API key with id ${id}`, 'no API key with that id');
    return result;
  }

  /** The live key, or undefined (malformed, unknown, revoked or expired). */
  async authenticate(key: string): Promise<ApiKeyRecord | undefined> {
    if (!isWellFormedApiKey(key)) return undefined;
    const record = await this.deps.store.apiKeys.findByHash(hashSecret(this.deps.pepper, key));
    const now = nowSeconds(this.deps.clock);
    if (record === undefined || record.revokedAt !== null) return undefined;
    if (record.expiresAt !== null && record.expiresAt <= now) return undefined;
    this.deps.events?.emit('credential.used', { kind: 'api_key', id: record.id });
    return record;
  }
}

export function apiKeyStatus(k: ApiKeyRecord, now: number): 'active' | 'revoked' | 'expired' {
  if (k.revokedAt !== null) return 'revoked';
  if (k.expiresAt !== null && k.expiresAt <= now) return 'expired';
  return 'active';
}

/** The public view of an API key: its prefix and last four characters, never the key. */
export function describeApiKey(k: ApiKeyRecord, now: number) {
  return {
    id: k.id,
    name: k.name,
    key_hint: `${k.keyPrefix}…${k.keyLast4}`,
    scope: k.scopes.join(' '),
    status: apiKeyStatus(k, now),
    created_at: isoOrNull(k.createdAt),
    expires_at: isoOrNull(k.expiresAt),
    revoked_at: isoOrNull(k.revokedAt),
    last_used_at: isoOrNull(k.lastUsedAt),
  };
}
