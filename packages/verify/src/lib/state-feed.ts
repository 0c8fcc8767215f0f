import { setTimeout as sleep } from 'node:timers/promises';
import type { FeedEvent } from './feed-events.js';
import { parseFeedPage } from './feed-events.js';
import { errorText, fetchJson } from './fetch-json.js';
import type { FeedSettings } from './options.js';

export type FeedStatus = 'starting' | 'live' | 'stale';

export interface StateFeedOptions extends FeedSettings {
  fetch: typeof fetch;
  signal: AbortSignal;
  /** Called with each page's events, in cursor order, before the cursor moves past them. */
  apply: (events: readonly FeedEvent[]) => void;
  /** Drops what no longer matters; called every few seconds. */
  prune: (nowSeconds: number) => void;
  /** The server sent us back to the snapshot: forget what it may no longer say. */
  reset: () => void;
  /** The feed became live or stale. */
  onStatus: (status: 'live' | 'stale') => void;
  onError: (err: Error) => void;
}

const PRUNE_EVERY_MS = 10_000;
const CATCH_UP_SPACING_MS = 100;

/**
 * Follows `GET /revocations` (docs/state-feed.md): reads the snapshot from
 * `after=0` page by page, then polls with the cursor. A failed request
 * keeps the cursor, so nothing is skipped; the next tick tries again.
 * Staleness is the time since the start of the last poll that read the feed
 * to `has_more: false`: what we hold is at least that fresh.
 */
export class StateFeed {
  cursor = '0';
  private lastGoodStart: number | undefined;
  private readonly createdAt = Date.now();
  private lastPruneAt = Date.now();
  private lastError: string | undefined;
  private reported: FeedStatus = 'starting';
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private first: Promise<void> = Promise.resolve();
  private closed = false;
  /** The first poll is over (either way): `firstAttempt()` would not wait. */
  attempted = false;
  /** One poll at a time: two reading the same pages could apply an old state over a newer one. */
  private inflight: Promise<void> | undefined;
  private lastCatchUpAt = Number.NEGATIVE_INFINITY;
  private scheduledCatchUp: Promise<void> | undefined;

  constructor(private readonly options: StateFeedOptions) {}

  start(): void {
    this.first = this.tick();
    // A poll can hang up to its timeout: staleness is also checked on its own timer.
    this.watchdog = setInterval(() => this.report(), this.options.pollMs);
    this.watchdog.unref();
  }

  /** Resolves once the first poll (the snapshot) succeeded or failed. */
  firstAttempt(): Promise<void> {
    return this.first;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
  }

  stalenessMs(now = Date.now()): number | null {
    return this.lastGoodStart === undefined ? null : now - this.lastGoodStart;
  }

  /** `starting` until the first snapshot; `stale` once nothing was read in full for too long. */
  status(now = Date.now()): FeedStatus {
    const since = this.lastGoodStart ?? this.createdAt;
    if (now - since > this.options.maxStalenessMs) return 'stale';
    return this.lastGoodStart === undefined ? 'starting' : 'live';
  }

  /** For access tokens when `failOpen`: may what we hold still be used? */
  withinFailOpen(now = Date.now()): boolean {
    // Never before a first snapshot: we would know of no revocation at all.
    if (this.lastGoodStart === undefined) return false;
    return now - this.lastGoodStart <= this.options.failOpenMaxStalenessMs;
  }

  health(now = Date.now()) {
    return {
      state: this.status(now),
      cursor: this.cursor,
      stalenessMs: this.stalenessMs(now),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    const started = Date.now();
    try {
      await this.poll();
      this.lastError = undefined;
    } catch (err) {
      if (this.closed) return;
      this.lastError = errorText(err);
      this.options.onError(err instanceof Error ? err : new Error(this.lastError));
    }
    this.attempted = true;
    if (Date.now() - this.lastPruneAt >= PRUNE_EVERY_MS) {
      this.lastPruneAt = Date.now();
      this.options.prune(Math.floor(this.lastPruneAt / 1000));
    }
    this.report();
    if (this.closed) return;
    const wait = Math.max(0, this.options.pollMs - (Date.now() - started));
    this.timer = setTimeout(() => void this.tick(), wait);
    this.timer.unref();
  }

  /** The poll in flight, or a new one. */
  private poll(): Promise<void> {
    this.inflight ??= this.pollOnce(Date.now()).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * Reads the feed now, for a PAT held as pending or not authorised here: it
   * may have been authorised since the last poll, and its owner is likely to
   * try it at once. On return, what we hold is at least as new as the feed
   * was when this was called (unless the read failed, which the regular
   * polls report). Only validly signed PATs get here, and such reads are
   * spaced CATCH_UP_SPACING_MS apart (a caller waits for the next one), so
   * requests cannot turn into a flood of feed reads.
   */
  async catchUp(): Promise<void> {
    if (this.closed) return;
    const asked = Date.now();
    const next = this.lastCatchUpAt + CATCH_UP_SPACING_MS;
    if (asked < next) {
      this.scheduledCatchUp ??= sleep(next - asked, undefined, { ref: false }).then(() => {
        this.scheduledCatchUp = undefined;
        return this.catchUp();
      });
      return this.scheduledCatchUp;
    }
    this.lastCatchUpAt = asked;
    await this.inflight?.catch(() => {});
    if ((this.lastGoodStart ?? Number.NEGATIVE_INFINITY) >= asked) return;
    await this.poll().catch(() => {});
  }

  private async pollOnce(started: number): Promise<void> {
    for (;;) {
      const url = new URL(this.options.url);
      url.searchParams.set('after', this.cursor);
      const body = await fetchJson(url.toString(), {
        fetch: this.options.fetch,
        timeoutMs: this.options.timeoutMs,
        signal: this.options.signal,
      });
      if (this.closed) return;
      const page = parseFeedPage(body, this.cursor);
      if (page.reset) this.options.reset();
      this.options.apply(page.events);
      this.cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    this.lastGoodStart = started;
  }

  private report(): void {
    if (this.closed) return;
    const status = this.status();
    if (status === 'starting' || status === this.reported) return;
    this.reported = status;
    this.options.onStatus(status);
  }
}
