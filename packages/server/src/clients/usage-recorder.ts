import { type Clock, nowSeconds } from '../lib/clock.js';

/**
 * Records "last used" at most once per debounce interval per id, so a busy
 * client or API key costs one write a minute, not one per request.
 */
export class UsageRecorder {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly debounceSeconds: number,
    private readonly write: (id: string, now: number) => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  record(id: string): void {
    const now = nowSeconds(this.clock);
    const last = this.written.get(id);
    if (last !== undefined && now - last < this.debounceSeconds) return;
    if (this.written.size > 100_000) this.written.clear();
    this.written.set(id, now);
    this.write(id, now).catch(this.onError);
  }
}
