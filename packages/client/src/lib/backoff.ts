/** How retries of 429, 5xx and network failures are bounded. */
export interface RetryPolicy {
  /** Requests in all, the first one included. */
  maxAttempts: number;
  /** No wait is scheduled that would end later than this after the first request. */
  maxElapsedMs: number;
  /** The backoff ceiling of the first retry; it doubles on each one after. */
  baseDelayMs: number;
  /** The ceiling never grows beyond this. */
  maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter: a uniform wait in
 * [0, min(maxDelayMs, baseDelayMs · 2^(retry−1))), so that clients failing
 * together do not come back together.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
