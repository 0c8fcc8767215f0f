import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { type ExchangeLimits, exchangeLimits } from './exchange-limits.js';
import { createGrantLimits, type GrantLimits } from './grant-limits.js';
import { type Limiter, type Limiters, memoryLimiters, redisLimiters } from './limiter.js';

export interface ClientAuthLimits {
  byClient: Limiter;
  byAddress: Limiter;
}

/** Every budget one server enforces, in memory or shared through Redis (`redisUrl`). */
export interface ServerLimits {
  exchange: ExchangeLimits;
  grants: GrantLimits;
  clientAuth: ClientAuthLimits;
  /** The token budget of clients allowed `points` tokens a minute. */
  tokenBudget(points: number): Limiter;
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createServerLimits(config: Config, logger: Logger): ServerLimits {
  const limiters: Limiters =
    config.redisUrl === undefined
      ? memoryLimiters()
      : redisLimiters(config.redisUrl, logger, {
          readyTimeoutMs: config.redisReadyTimeoutMs,
          connectTimeoutMs: config.redisConnectTimeoutMs,
          reconnectMaxDelayMs: config.redisReconnectMaxDelayMs,
        });
  const budgets = new Map<number, Limiter>();
  return {
    exchange: exchangeLimits(limiters, config),
    grants: createGrantLimits(limiters, config),
    clientAuth: {
      byClient: limiters.create({
        name: 'client-auth-failures',
        points: config.clientAuthFailuresPerMinute,
        durationSeconds: 60,
      }),
      byAddress: limiters.create({
        name: 'client-auth-failures-address',
        points: config.clientAuthFailuresPerAddressPerMinute,
        durationSeconds: 60,
      }),
    },
    tokenBudget(points) {
      let budget = budgets.get(points);
      if (budget === undefined) {
        // Named by size, so every node (through Redis) shares one budget per client.
        budget = limiters.create({ name: `token-budget-${points}`, points, durationSeconds: 60 });
        budgets.set(points, budget);
      }
      return budget;
    },
    ready: () => limiters.ready(),
    close: () => limiters.close(),
  };
}
