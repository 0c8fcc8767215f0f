import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/** A fixed-window budget of `points` per `durationSeconds` per key. */
export interface Limiter {
  /** Seconds until the key may act again, or undefined when it still has budget. */
  blockedFor(key: string): Promise<number | undefined>;
  /** Spends one point; returns seconds to wait when the budget is now exceeded. */
  spend(key: string): Promise<number | undefined>;
  /** Gives a point back (a reserved attempt that succeeded). */
  refund(key: string): Promise<void>;
}

export interface LimiterOptions {
  /** Names the budget (keys of different budgets never collide). */
  name: string;
  points: number;
  durationSeconds: number;
}

/** Makes the server's limiters: in memory, or shared by every node through Redis. */
export interface Limiters {
  create(options: LimiterOptions): Limiter;
  /** Resolves once the shared store answers, or after a short wait (then budgets start local). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** How the server reaches Redis (docs/configuration.md). */
export interface RedisSettings {
  /** How long a starting node waits for Redis before it serves on local budgets. */
  readyTimeoutMs: number;
  /** Longest wait for a connection to Redis to open. */
  connectTimeoutMs: number;
  /** Reconnection waits grow by 200 ms an attempt up to this. */
  reconnectMaxDelayMs: number;
}

const secondsOf = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

function wrap(limiter: RateLimiterAbstract, points: number): Limiter {
  return {
    async blockedFor(key) {
      const res = await limiter.get(key);
      return res !== null && res.consumedPoints >= points ? secondsOf(res) : undefined;
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
    async refund(key) {
      await limiter.reward(key, 1);
    },
  };
}

const memory = (o: LimiterOptions) =>
  new RateLimiterMemory({ keyPrefix: o.name, points: o.points, duration: o.durationSeconds });

/** One node's budgets, in memory. */
export function memoryLimiters(): Limiters {
  return { create: (o) => wrap(memory(o), o.points), ready: async () => {}, close: async () => {} };
}

/**
 * Budgets shared through Redis, so several nodes spend one budget. While
 * Redis is unreachable each node falls back to its own in-memory budget
 * (rate-limiter-flexible's insurance limiter): requests are never failed for
 * want of Redis, and the outage is logged once.
 */
export function redisLimiters(url: string, logger: Logger, settings: RedisSettings): Limiters {
  const redis = new Redis(url, {
    // Fail commands at once while disconnected: the insurance limiter answers.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: settings.connectTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, settings.reconnectMaxDelayMs),
  });
  let down = false;
  redis.on('error', (err) => {
    if (down) return;
    down = true;
    logger.warn(
      { err: err.message },
      'Redis unreachable: rate limits fall back to this node alone',
    );
  });
  redis.on('ready', () => {
    if (down) logger.info('Redis reachable again: rate limits are shared');
    down = false;
  });
  return {
    create: (o) =>
      wrap(
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `gridkey:${o.name}`,
          points: o.points,
          duration: o.durationSeconds,
          insuranceLimiter: memory(o),
        }),
        o.points,
      ),
    async ready() {
      if (redis.status === 'ready') return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise((resolve) => redis.once('ready', resolve)),
        new Promise((resolve) => {
          timer = setTimeout(resolve, settings.readyTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
    async close() {
      redis.disconnect();
    },
  };
}

/** Spends one point from each (limiter, key); the longest wait when any budget is now exceeded. */
export async function spendEach(
  charges: ReadonlyArray<readonly [Limiter, string]>,
): Promise<number | undefined> {
  const waits = await Promise.all(charges.map(([limiter, key]) => limiter.spend(key)));
  const wait = Math.max(0, ...waits.map((w) => w ?? 0));
  return wait > 0 ? wait : undefined;
}
