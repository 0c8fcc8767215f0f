import type { KeyObject } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, type JWK } from 'jose';
import { type Clock, nowSeconds } from '../lib/clock.js';
import type { SigningKeyRecord, Store } from '../store/types.js';
import {
  generateSigningKey,
  type OpenedSigningKey,
  openSigningKey,
  publishedUntil,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from './signing-key.js';

export interface ActiveSigningKey {
  kid: string;
  /** The key's number (the enectiva `key` claim). */
  number: number;
  alg: SigningAlgorithm;
  key: KeyObject;
}

export interface KeyRingOptions {
  store: Store;
  keyEncryptionKey: Buffer;
  clock: Clock;
  /** Retired keys stay published this long: the longest an access token may live. */
  maxTokenTtlSeconds: number;
  pollIntervalMs: number;
  /** A stored key that fails to unseal or does not match its kid: never published, never used. */
  onBadKey?: (kid: string, err: unknown) => void;
}

/** What signs tokens: the key in force now, per algorithm (a {@link KeyRing}). */
export type SigningKeySource = Pick<KeyRing, 'signingKey'>;
/** What verifies our own tokens: the published keys (a {@link KeyRing}). */
export type VerificationKeySource = Pick<KeyRing, 'verificationKeys'>;

/**
 * A node's view of the signing keys. It re-reads the store on a timer, so a
 * rotation made by the CLI or by another node reaches every node without a
 * restart; private keys are decrypted once per kid.
 */
export class KeyRing {
  private records: SigningKeyRecord[] = [];
  /** Unsealed and checked keys by kid; a row that fails to open is left out. */
  private readonly opened = new Map<string, OpenedSigningKey>();
  private timer: NodeJS.Timeout | undefined;
  private localJwks: ReturnType<typeof createLocalJWKSet> | undefined;

  constructor(private readonly options: KeyRingOptions) {}

  /** Creates the first key of every algorithm if the store has none. */
  async ensureKeys(): Promise<void> {
    const now = nowSeconds(this.options.clock);
    // Read the stored keys first: generating an RSA key costs up to a second
    // of CPU on every start, only for insertIfNoneForAlg to discard it.
    await this.refresh();
    for (const alg of SIGNING_ALGORITHMS) {
      if (this.records.some((r) => r.alg === alg && r.retiredAt === null)) continue;
      const key = await generateSigningKey(alg, this.options.keyEncryptionKey, {
        now,
        activeFrom: now,
      });
      await this.options.store.signingKeys.insertIfNoneForAlg(key);
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const records = await this.options.store.signingKeys.list();
    const usable: SigningKeyRecord[] = [];
    for (const record of records) {
      if (!this.opened.has(record.kid)) {
        try {
          this.opened.set(record.kid, openSigningKey(record, this.options.keyEncryptionKey));
        } catch (err) {
          this.options.onBadKey?.(record.kid, err);
          continue;
        }
      }
      usable.push(record);
    }
    const known = new Set(usable.map((r) => r.kid));
    for (const kid of this.opened.keys()) if (!known.has(kid)) this.opened.delete(kid);
    this.records = usable;
    this.localJwks = undefined;
  }

  /** Starts polling the store; failures keep the last good view. */
  start(onError: (err: unknown) => void): void {
    this.timer = setInterval(() => {
      this.refresh().catch(onError);
    }, this.options.pollIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The key that signs now: the newest activated, unretired key of the algorithm. */
  signingKey(alg: SigningAlgorithm): ActiveSigningKey {
    const now = nowSeconds(this.options.clock);
    let current: SigningKeyRecord | undefined;
    for (const r of this.records) {
      if (r.alg !== alg || r.activeFrom > now || (r.retiredAt !== null && r.retiredAt <= now)) {
        continue;
      }
      if (current === undefined || r.activeFrom >= current.activeFrom) current = r;
    }
    if (current === undefined) throw new Error(`no active ${alg} signing key`);
    const opened = this.opened.get(current.kid);
    if (opened === undefined) throw new Error(`signing key ${current.kid} is not open`);
    return { kid: current.kid, number: current.number ?? 0, alg, key: opened.privateKey };
  }

  /** Published keys: upcoming, current, and retired ones whose tokens (PATs too) may still be alive. */
  jwks(): JSONWebKeySet {
    const now = nowSeconds(this.options.clock);
    const keys = this.records
      .filter((r) => (publishedUntil(r, this.options.maxTokenTtlSeconds) ?? Infinity) > now)
      .flatMap((r) => {
        const opened = this.opened.get(r.kid);
        return opened === undefined ? [] : [opened.publicJwk as JWK];
      });
    return { keys };
  }

  /** A jose key resolver over the published keys, for verifying our own tokens. */
  verificationKeys(): ReturnType<typeof createLocalJWKSet> {
    this.localJwks ??= createLocalJWKSet(this.jwks());
    return this.localJwks;
  }
}

/**
 * Adds a new key per algorithm, published now and signing after the
 * activation delay; the keys it replaces stop signing at that moment and
 * leave the JWKS once every token they signed has expired.
 */
export async function rotateSigningKeys(options: {
  store: Store;
  keyEncryptionKey: Buffer;
  now: number;
  activationDelaySeconds: number;
  maxTokenTtlSeconds: number;
}): Promise<{ created: SigningKeyRecord[]; retired: string[]; deleted: number }> {
  const activeFrom = options.now + options.activationDelaySeconds;
  const created = await Promise.all(
    SIGNING_ALGORITHMS.map((alg) =>
      generateSigningKey(alg, options.keyEncryptionKey, { now: options.now, activeFrom }),
    ),
  );
  const { retired } = await options.store.signingKeys.rotate(created);
  const deleted = await options.store.signingKeys.deleteRetiredBefore(
    options.now - options.maxTokenTtlSeconds,
    options.now,
  );
  return { created, retired, deleted };
}
