import { hash } from 'node:crypto';

/** Tokens longer than this are verified every time: the cache's memory stays bounded. */
export const MAX_CACHED_TOKEN_CHARS = 8 * 1024;

/**
 * The cache key: a SHA-256 of the token, as a 32-character one-byte string
 * (the smallest a Map key can be). The token itself is never kept, so a heap
 * dump of the cache holds no usable credential.
 */
export const tokenDigest = (token: string): string => hash('sha256', token, 'binary');

/**
 * A least-recently-used map bounded in entries, on a `Map`'s insertion
 * order: a hit moves the entry to the end, an insert past the bound drops
 * the first one.
 */
export class LruCache<V> {
  private readonly map = new Map<string, V>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    if (this.maxEntries <= 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      this.map.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  deleteWhere(test: (value: V) => boolean): void {
    for (const [key, value] of this.map) if (test(value)) this.map.delete(key);
  }

  forEach(visit: (value: V) => void): void {
    for (const value of this.map.values()) visit(value);
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * Verified tokens by digest. Only a token whose signature and claims
 * verified is stored; what can change afterwards (expiry, the feed's state,
 * a key leaving the set, the scopes a route needs) is checked on every hit
 * by the caller, so a hit never calls jose.
 */
export class TokenCache<V> {
  private readonly lru: LruCache<V>;
  hits = 0;
  misses = 0;

  constructor(maxEntries: number) {
    this.lru = new LruCache(maxEntries);
  }

  get entries(): number {
    return this.lru.size;
  }

  /** The digest to look up and store under, or undefined for a token too long to cache. */
  keyOf(token: string): string | undefined {
    if (this.lru.maxEntries <= 0 || token.length > MAX_CACHED_TOKEN_CHARS) return undefined;
    return tokenDigest(token);
  }

  get(key: string | undefined): V | undefined {
    const value = key === undefined ? undefined : this.lru.get(key);
    if (value === undefined) this.misses++;
    else this.hits++;
    return value;
  }

  /** A hit counts as one; a miss does not (the caller goes on to `get`). */
  peek(key: string | undefined): V | undefined {
    const value = key === undefined ? undefined : this.lru.get(key);
    if (value !== undefined) this.hits++;
    return value;
  }

  set(key: string | undefined, value: V): void {
    if (key !== undefined) this.lru.set(key, value);
  }

  delete(key: string | undefined): void {
    if (key !== undefined) this.lru.delete(key);
  }

  deleteWhere(test: (value: V) => boolean): void {
    this.lru.deleteWhere(test);
  }

  clear(): void {
    this.lru.clear();
  }
}
