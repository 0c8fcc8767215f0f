import {
  type CryptoKey,
  createLocalJWKSet,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
  type LocalJWKSet,
} from 'jose';
import { VerifyError } from '../errors.js';
import { algorithmsOfKeys } from './algorithms.js';
import { errorText, fetchJson, isObject, UpstreamError } from './fetch-json.js';

export interface JwksCacheOptions {
  /** Resolved on first use (it may come from the issuer's metadata). */
  uri: () => Promise<string>;
  fetch: typeof fetch;
  signal: AbortSignal;
  timeoutMs: number;
  cooldownMs: number;
  cacheMaxAgeMs: number;
  maxStaleMs: number;
  onKeys: (kids: string[]) => void;
  onError: (err: Error) => void;
}

interface KeySet {
  resolver: LocalJWKSet;
  kids: ReadonlySet<string>;
  algorithms: readonly string[];
  fetchedAt: number;
  /** The resolver's answers by `kid` and `alg` (see `resolve`). */
  resolved: Map<string, Promise<CryptoKey>>;
  /** The same answers once settled, by the header object asked with (see `keyFor`). */
  settled: WeakMap<JWSHeaderParameters, CryptoKey>;
}

const ASYMMETRIC_KTY = new Set(['RSA', 'EC', 'OKP']);

/** Public signing keys only: never a symmetric (`oct`) key, never one meant for encryption. */
function signingKeysOf(body: unknown, removed: ReadonlyMap<string, number>): JWK[] {
  if (!isObject(body) || !Array.isArray(body.keys)) {
    throw new UpstreamError('the key set is not a JWKS (RFC 7517 §5)');
  }
  return body.keys.filter(
    (k): k is JWK =>
      isObject(k) &&
      typeof k.kty === 'string' &&
      ASYMMETRIC_KTY.has(k.kty) &&
      (k.use === undefined || k.use === 'sig') &&
      !(typeof k.kid === 'string' && removed.has(k.kid)),
  );
}

/**
 * The issuer's key set, fetched by us (with a timeout) and handed to jose's
 * `createLocalJWKSet`. Concurrent callers share one fetch; an unknown `kid`
 * refetches at most once per cooldown, so a flood of made-up kids costs one
 * request (RFC 8725 §3.10 warns against letting a token steer fetches); a set
 * older than `cacheMaxAgeMs` is refreshed in the background, and while
 * refetches fail the last good set serves until it is `maxStaleMs` old.
 */
export class JwksCache {
  private current: KeySet | undefined;
  private inflight: Promise<KeySet> | undefined;
  private lastKidRefetchAt = Number.NEGATIVE_INFINITY;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private lastError: string | undefined;
  /** Kids the feed reported leaving the set, with the unix second the report stops mattering. */
  private readonly removed = new Map<string, number>();

  constructor(private readonly options: JwksCacheOptions) {}

  /** Loads the key set if none is loaded; `unavailable` if it cannot be had. */
  async load(): Promise<void> {
    await this.usable();
  }

  /** The default allowlist: what the loaded set publishes. */
  algorithms(): readonly string[] {
    return this.current?.algorithms ?? [];
  }

  /** `signing_key.removed`: refuse the kid from now on, whatever a later fetch says. */
  remove(kid: string, exp: number): void {
    this.removed.set(kid, exp);
  }

  isRemoved(kid: string): boolean {
    return this.removed.has(kid);
  }

  /**
   * Forgets removals whose tokens have all expired, except while the loaded
   * set still lists the kid: a set fetched before the removal (and kept
   * serving through an outage, up to `maxStaleMs`) would otherwise take the
   * key back. A set fetched after it never lists the kid (`signingKeysOf`).
   */
  prune(nowSeconds: number): void {
    const listed = this.current?.kids;
    for (const [kid, exp] of this.removed) {
      if (exp <= nowSeconds && listed?.has(kid) !== true) this.removed.delete(kid);
    }
  }

  health(): { kids: string[]; fetchedAt: number | null; lastError?: string } {
    return {
      kids: [...(this.current?.kids ?? [])].filter((kid) => !this.removed.has(kid)),
      fetchedAt: this.current?.fetchedAt ?? null,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /** A loaded set, younger than `cacheMaxAgeMs`: nothing to wait for. */
  isFresh(): boolean {
    const set = this.current;
    return set !== undefined && Date.now() - set.fetchedAt < this.options.cacheMaxAgeMs;
  }

  /**
   * The key that verifies a token with this protected header, which the
   * header checks passed (`kid` is a well-formed string). The checker hands
   * out one frozen header object per distinct header, so once this set has
   * resolved it the key comes back synchronously: the common token then
   * costs no look-up, string or promise here, and jose gets the key itself
   * instead of a resolver to await.
   */
  keyFor(header: JWSHeaderParameters): CryptoKey | Promise<CryptoKey> {
    const kid = header.kid as string;
    if (this.removed.has(kid)) {
      return Promise.reject(new VerifyError('unknown_key', 'the signing key was removed'));
    }
    const set = this.current;
    if (set?.kids.has(kid) && this.isFresh()) {
      return set.settled.get(header) ?? this.resolve(set, header);
    }
    return this.lookUp(kid, header);
  }

  private async lookUp(kid: string, header: JWSHeaderParameters): Promise<CryptoKey> {
    let set = await this.usable();
    if (!set.kids.has(kid)) set = await this.refetchForUnknownKid(set);
    if (!set.kids.has(kid) || this.removed.has(kid)) {
      throw new VerifyError('unknown_key', 'no key in the key set matches the token');
    }
    return this.resolve(set, header);
  }

  /**
   * jose's resolver picks the key by `kid` and `alg` alone, so its answer is
   * kept per pair for the life of the set: a token then skips the resolver's
   * scan of the set. A failed look-up is not kept. jose's JWKS errors become
   * `unknown_key` where verify-jwt.ts maps jose's errors.
   */
  private resolve(set: KeySet, header: JWSHeaderParameters): Promise<CryptoKey> {
    const pair = `${header.kid as string} ${String(header.alg)}`;
    let key = set.resolved.get(pair);
    if (key === undefined) {
      const pending = set.resolver(header);
      key = pending;
      set.resolved.set(pair, pending);
      pending.catch(() => {
        if (set.resolved.get(pair) === pending) set.resolved.delete(pair);
      });
    }
    key.then(
      (settled) => set.settled.set(header, settled),
      () => {},
    );
    return key;
  }

  private async refetchForUnknownKid(set: KeySet): Promise<KeySet> {
    if (this.inflight === undefined) {
      const now = Date.now();
      if (now - this.lastKidRefetchAt < this.options.cooldownMs) return set;
      this.lastKidRefetchAt = now;
    }
    try {
      return await this.refresh();
    } catch {
      return set;
    }
  }

  private async usable(): Promise<KeySet> {
    const now = Date.now();
    const set = this.current;
    const retryAllowed = now - this.lastFailureAt >= Math.min(this.options.cooldownMs, 5000);
    if (set === undefined) {
      if (!retryAllowed && this.inflight === undefined) throw this.unavailable();
      return this.refresh().catch(() => {
        throw this.unavailable();
      });
    }
    const age = now - set.fetchedAt;
    if (age < this.options.cacheMaxAgeMs) return set;
    if (age < this.options.maxStaleMs) {
      if (this.inflight === undefined && retryAllowed) this.refresh().catch(() => {});
      return set;
    }
    if (!retryAllowed && this.inflight === undefined) throw this.unavailable();
    return this.refresh().catch(() => {
      throw this.unavailable();
    });
  }

  private unavailable(): VerifyError {
    return new VerifyError('unavailable', 'the signing keys cannot be loaded');
  }

  private refresh(): Promise<KeySet> {
    this.inflight ??= this.fetchSet().then(
      (set) => {
        this.current = set;
        this.lastError = undefined;
        this.inflight = undefined;
        this.options.onKeys([...set.kids]);
        return set;
      },
      (err: unknown) => {
        this.lastFailureAt = Date.now();
        this.lastError = errorText(err);
        this.inflight = undefined;
        this.options.onError(err instanceof Error ? err : new Error(this.lastError));
        throw err;
      },
    );
    return this.inflight;
  }

  private async fetchSet(): Promise<KeySet> {
    const uri = await this.options.uri();
    const body = await fetchJson(uri, {
      fetch: this.options.fetch,
      timeoutMs: this.options.timeoutMs,
      signal: this.options.signal,
    });
    const keys = signingKeysOf(body, this.removed);
    const jwks: JSONWebKeySet = { keys };
    let resolver: LocalJWKSet;
    try {
      resolver = createLocalJWKSet(jwks);
    } catch (err) {
      throw new UpstreamError(`${uri}: the key set is invalid`, undefined, { cause: err });
    }
    const kids = new Set(keys.flatMap((k) => (typeof k.kid === 'string' ? [k.kid] : [])));
    return {
      resolver,
      kids,
      algorithms: algorithmsOfKeys(keys),
      fetchedAt: Date.now(),
      resolved: new Map(),
      settled: new WeakMap(),
    };
  }
}
