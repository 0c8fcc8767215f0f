/**
 * One copy of each repeated string. The tokens a verifier caches share most
 * of their claims (issuer, audience, client, scope): without a pool every
 * cached token would hold its own copies, several hundred bytes each.
 * Bounded: when full it starts again, so a flood of distinct values costs at
 * most `maxEntries` strings.
 */
export class StringPool {
  private readonly pool = new Map<string, string>();

  constructor(private readonly maxEntries = 10_000) {}

  intern(value: string): string {
    const pooled = this.pool.get(value);
    if (pooled !== undefined) return pooled;
    if (this.pool.size >= this.maxEntries) this.pool.clear();
    this.pool.set(value, value);
    return value;
  }

  /** The pooled copy of a frozen list, keyed by its items. */
  internList(values: readonly string[]): readonly string[] {
    // JSON, not a join: ['a b'] and ['a', 'b'] must not share a copy.
    return this.lists.get(JSON.stringify(values)) ?? this.addList(values);
  }

  private readonly lists = new Map<string, readonly string[]>();
  private readonly scopeLists = new Map<string, readonly string[]>();

  /**
   * The scopes of a space-separated `scope` value (RFC 6749 §3.3), split
   * once per distinct value: duplicates and empty parts dropped, frozen.
   */
  scopeList(scope: string): readonly string[] {
    const known = this.scopeLists.get(scope);
    if (known !== undefined) return known;
    if (this.scopeLists.size >= this.maxEntries) this.scopeLists.clear();
    const list = this.internList([...new Set(scope.split(' ').filter(Boolean))]);
    this.scopeLists.set(scope, list);
    return list;
  }

  private addList(values: readonly string[]): readonly string[] {
    if (this.lists.size >= this.maxEntries) this.lists.clear();
    const list = Object.freeze(values.map((v) => this.intern(v)));
    this.lists.set(JSON.stringify(values), list);
    return list;
  }
}
