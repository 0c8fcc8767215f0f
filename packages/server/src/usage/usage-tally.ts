import { type Clock, nowSeconds } from '../lib/clock.js';
import type { CredentialKind, UsageStore } from '../store/types.js';
import { bucketStart, type MinuteCount, rollUp } from './usage-buckets.js';

/** What {@link UsageTally} uses. */
export interface UsageTallyDeps {
  store: Pick<UsageStore, 'add'>;
  clock: Clock;
  /** Told once when flushing starts to fail, with the error; again only after a flush succeeded. */
  onFlushError: (err: unknown) => void;
}

/**
 * Usage counts held in memory and written in batches. `count` runs on the
 * request path: one Map look-up and an increment, no I/O. `flush` takes what
 * was counted so far and adds it to the store, rolled up into minutes, hours
 * and days, in one transaction; counts made meanwhile wait for the next
 * flush. A flush that fails puts its counts back, so nothing is lost while
 * the database is away and nothing is written twice when it returns.
 *
 * @example
 * const tally = new UsageTally({ store: gk.store.usage, clock: gk.clock, onFlushError });
 * tally.count('client', clientId, 'tokens_issued');
 * await tally.flush();
 */
export class UsageTally {
  private pending = new Map<string, MinuteCount>();
  private flushing: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly deps: UsageTallyDeps) {}

  /** Adds `n` to the credential's metric in the current minute. */
  count(kind: CredentialKind, id: string, metric: string, n = 1): void {
    const minute = bucketStart('minute', nowSeconds(this.deps.clock));
    const key = `${kind}\u0000${id}\u0000${metric}\u0000${minute}`;
    const held = this.pending.get(key);
    if (held === undefined) this.pending.set(key, { kind, id, metric, minute, count: n });
    else held.count += n;
  }

  /** Counters not yet written (tests, and the number a flush would write before roll-up). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Writes everything counted until now. Never throws: a failure is reported
   * through `onFlushError` and its counts are kept. Concurrent calls wait for
   * the flush in flight, then write what came after it.
   */
  async flush(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    if (this.pending.size === 0) return;
    this.flushing = this.writePending();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  private async writePending(): Promise<void> {
    const taken = this.pending;
    this.pending = new Map();
    try {
      await this.deps.store.add(rollUp(taken.values()));
      this.failing = false;
    } catch (err) {
      for (const m of taken.values()) this.add(m);
      if (!this.failing) this.deps.onFlushError(err);
      this.failing = true;
    }
  }

  private add(m: MinuteCount): void {
    const key = `${m.kind}\u0000${m.id}\u0000${m.metric}\u0000${m.minute}`;
    const held = this.pending.get(key);
    if (held === undefined) this.pending.set(key, { ...m });
    else held.count += m.count;
  }
}
