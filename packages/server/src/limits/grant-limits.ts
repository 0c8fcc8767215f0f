import type { Config } from '../config/schema.js';
import type { Limiter, Limiters } from './limiter.js';

/** Budgets the user grants spend; one set per server. */
export interface GrantLimits {
  /** Over it, an address is refused (429) before anything is checked. */
  passwordFailuresByAddress: Limiter;
  /** Over it, a username's guesses are throttled, never its owner refused. */
  passwordFailuresByUsername: Limiter;
  /** Keyed by address and username: which addresses a throttled username still hears. */
  passwordFailuresByUsernameAndAddress: Limiter;
  /** Refresh-grant requests per user a minute: each one is a durable write. */
  refreshGrantsByUser: Limiter;
}

/** The settings the grant budgets are made from. */
export type GrantLimitSettings = Pick<
  Config,
  | 'passwordFailureWindowSeconds'
  | 'passwordFailuresPerAddress'
  | 'passwordFailuresPerUsername'
  | 'passwordFailuresPerUsernamePerAddress'
  | 'refreshGrantsPerUserPerMinute'
>;

export function createGrantLimits(limiters: Limiters, config: GrantLimitSettings): GrantLimits {
  const window = config.passwordFailureWindowSeconds;
  return {
    passwordFailuresByAddress: limiters.create({
      name: 'password-failures-address',
      points: config.passwordFailuresPerAddress,
      durationSeconds: window,
    }),
    passwordFailuresByUsername: limiters.create({
      name: 'password-failures-user',
      points: config.passwordFailuresPerUsername,
      durationSeconds: window,
    }),
    passwordFailuresByUsernameAndAddress: limiters.create({
      name: 'password-failures-user-address',
      points: config.passwordFailuresPerUsernamePerAddress,
      durationSeconds: window,
    }),
    refreshGrantsByUser: limiters.create({
      name: 'refresh-grants-user',
      points: config.refreshGrantsPerUserPerMinute,
      durationSeconds: 60,
    }),
  };
}
