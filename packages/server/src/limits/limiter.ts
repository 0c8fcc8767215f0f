import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** A fixed-window budget of `points` per `durationSeconds` per key. */
export interface Limiter {
  /** Seconds until the key may act again, or undefined when it still has budget. */
  blockedFor(key: string): Promise<number | undefined>;
  /** Spends one point; returns seconds to wait when the budget is now exceeded. */
  spend(key: string): Promise<number | undefined>;
}

export interface LimiterOptions {
  /** Names the budget (keys of different budgets never collide). */
  name: string;
  points: number;
  durationSeconds: number;
}

const secondsOf = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** An in-memory limiter: one node's budget. */
export function memoryLimiter(options: LimiterOptions): Limiter {
  const limiter = new RateLimiterMemory({
    keyPrefix: options.name,
    points: options.points,
    duration: options.durationSeconds,
  });
  return {
    async blockedFor(key) {
      const res = await limiter.get(key);
      return res !== null && res.consumedPoints >= options.points ? secondsOf(res) : undefined;
    },
    async spend(key) {
      try {
        await limiter.consume(key);
        return undefined;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return secondsOf(rejection);
        throw rejection;
      }
    },
  };
}
