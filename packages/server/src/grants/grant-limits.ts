import type { Gridkey } from '../gridkey.js';
import { memoryLimiter } from '../limits/limiter.js';
import type { GrantLimits } from './grant.js';

export function createGrantLimits(gk: Gridkey): GrantLimits {
  const window = gk.config.passwordFailureWindowSeconds;
  return {
    passwordFailuresByUsername: memoryLimiter({
      name: 'password-failures-user',
      points: gk.config.passwordFailuresPerUsername,
      durationSeconds: window,
    }),
    passwordFailuresByAddress: memoryLimiter({
      name: 'password-failures-address',
      points: gk.config.passwordFailuresPerAddress,
      durationSeconds: window,
    }),
  };
}
