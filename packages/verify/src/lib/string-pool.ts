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

  private addList(values: readonly string[]): readonly string[] {
    if (this.lists.size >= this.maxEntries) this.lists.clear();
    const list = Object.freeze(values.map((v) => this.intern(v)));
    this.lists.set(JSON.stringify(values), list);
    return list;
  }
}
