import type { Config } from '../config/schema.js';
import type { Limiter, Limiters } from './limiter.js';

/** Budgets of the login-token exchange; one set per server. */
export interface ExchangeLimits {
  /** Failed exchanges, keyed by address and by customer. */
  failures: Limiter;
  /** Successful exchanges, keyed by login token id. */
  successes: Limiter;
}

export function exchangeLimits(
  limiters: Limiters,
  config: Pick<Config, 'loginExchangeFailuresPerMinute' | 'loginExchangeSuccessesPerMinute'>,
): ExchangeLimits {
  return {
    failures: limiters.create({
      name: 'login-exchange-failures',
      points: config.loginExchangeFailuresPerMinute,
      durationSeconds: 60,
    }),
    successes: limiters.create({
      name: 'login-exchange-successes',
      points: config.loginExchangeSuccessesPerMinute,
      durationSeconds: 60,
    }),
  };
}
