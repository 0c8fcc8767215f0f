import type { DestinationStream } from 'pino';

/** The buffered stream underneath: pino's `destination()` (sonic-boom) or anything alike. */
export interface FlushableDestination extends DestinationStream {
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
}

/**
 * Collects log lines and hands them to the destination `maxLines` at a time.
 *
 * Why: sonic-boom does noticeable work on every `write` call (it measures the
 * byte length of its pending buffer each time); with one request line per
 * token request that cost ~6 µs a request under load, about 5 % of token
 * endpoint throughput (measured with `npm run bench`). Handing it one string
 * per batch removes it. Lines wait at most until the next {@link flush}
 * (the logger flushes every second) and are handed over on exit.
 */
export class BatchedDestination implements FlushableDestination {
  private lines: string[] = [];

  constructor(
    private readonly destination: FlushableDestination,
    private readonly maxLines = 64,
  ) {
    // Before every other exit listener (sonic-boom's own flush-on-exit among
    // them), so the last batch reaches the destination before it is ended.
    process.prependListener('exit', () => this.flushSync());
  }

  write(line: string): void {
    this.lines.push(line);
    if (this.lines.length >= this.maxLines) this.drain();
  }

  flush(cb?: (err?: Error) => void): void {
    this.drain();
    this.destination.flush(cb);
  }

  flushSync(): void {
    this.drain();
    try {
      this.destination.flushSync();
    } catch {
      // Nothing buffered, or the destination is already closed: nothing to save.
    }
  }

  private drain(): void {
    if (this.lines.length === 0) return;
    const batch = this.lines.join('');
    this.lines = [];
    this.destination.write(batch);
  }
}
