import type { Config } from '../config/schema.js';
import type { Limiters } from '../limits/limiter.js';
import type { GrantLimits } from './grant.js';

export function createGrantLimits(limiters: Limiters, config: Config): GrantLimits {
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
