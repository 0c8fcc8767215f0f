import { DEFAULTS } from '../config/defaults.js';
import { type Clock, nowSeconds } from '../lib/clock.js';

/**
 * Records "last used" at most once per debounce interval per id, so a busy
 * client or API key costs one write a minute, not one per request. At most
 * `maxTracked` ids are remembered; past that the memory starts afresh.
 */
export class UsageRecorder {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly debounceSeconds: number,
    private readonly write: (id: string, now: number) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly maxTracked: number = DEFAULTS.lastUsedMaxTrackedIds,
  ) {}

  record(id: string): void {
    const now = nowSeconds(this.clock);
    const last = this.written.get(id);
    if (last !== undefined && now - last < this.debounceSeconds) return;
    if (this.written.size > this.maxTracked) this.written.clear();
    this.written.set(id, now);
    this.write(id, now).catch(this.onError);
  }
}
