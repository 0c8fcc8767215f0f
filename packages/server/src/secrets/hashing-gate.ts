import { TemporarilyUnavailableError } from '../errors.js';

export interface HashingGateOptions {
  /** Tasks (password hashes) running at once. */
  maxInFlight: number;
  /** Tasks waiting for a slot; one more is refused at once. */
  maxQueued: number;
  /** A task still waiting after this long is refused (when hashes are slow, e.g. a busy CPU). */
  maxWaitSeconds: number;
  /** The `Retry-After` of a refusal, in seconds. */
  retryAfterSeconds: number;
}

/**
 * A login refused because every hashing slot is taken and the queue is full: 503
 * `temporarily_unavailable` with `Retry-After`. The server is out of capacity, not the caller
 * over a budget (that is 429), so a client that sent a single login is not told it sent too many
 * (RFC 9110 §15.6.4; the code is RFC 6749 §4.1.2.1's, which clients already know to retry).
 */
export class HashingBusyError extends TemporarilyUnavailableError {
  protected override readonly genericDescription: string =
    'too many logins are being checked; try again later';
}

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout;
}

/**
 * At most `maxInFlight` password hashes at once and `maxQueued` waiting; beyond that a task is
 * refused with {@link HashingBusyError} before it starts, instead of queueing without bound, and
 * so is one that has waited `maxWaitSeconds`. Waiting tasks start in arrival order. One gate per server: it bounds what logins can take from
 * the CPU and memory (scrypt at N = 2^15, r = 8 needs 32 MiB a hash) whatever their number.
 */
export class HashingGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly options: HashingGateOptions) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) {
      throw new RangeError('maxInFlight must be a positive integer');
    }
    if (!Number.isInteger(options.maxQueued) || options.maxQueued < 0) {
      throw new RangeError('maxQueued must be a non-negative integer');
    }
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` when a slot is free; rejects with {@link HashingBusyError} when none is and the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await task();
    } finally {
      this.leave();
    }
  }

  private enter(): Promise<void> {
    if (this.running < this.options.maxInFlight) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.options.maxQueued) return Promise.reject(this.busy());
    // The slot passes straight from the task that leaves to the next in line: `running` stays.
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(this.busy());
        }, this.options.maxWaitSeconds * 1000),
      };
      this.waiting.push(waiter);
    });
  }

  private leave(): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      this.running -= 1;
      return;
    }
    clearTimeout(next.timer);
    next.start();
  }

  private busy(): HashingBusyError {
    return new HashingBusyError(
      'too many logins are being checked; try again later',
      this.options.retryAfterSeconds,
    );
  }
}
