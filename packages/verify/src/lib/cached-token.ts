import type { VerifiedToken, Verifier, VerifyOptions } from '../types.js';
import { checkCallOptions } from './call-options.js';
import { extractToken, type RequestLike } from './extract-token.js';
import { type GridkeyVerifier, verifyCachedSync } from './verifier.js';

/**
 * The request's token if it is cached and passes every check now, without
 * waiting a tick; undefined otherwise, and `authenticate` decides (and says
 * why). A verifier not made by `createVerifier` always gets undefined.
 */
export function cachedToken(
  req: RequestLike,
  verifier: Verifier,
  options: VerifyOptions | undefined,
): VerifiedToken | undefined {
  const fast = (verifier as Partial<GridkeyVerifier>)[verifyCachedSync];
  if (typeof fast !== 'function') return undefined;
  try {
    const call = checkCallOptions(options);
    return fast.call(verifier as GridkeyVerifier, extractToken(req).token, call);
  } catch {
    return undefined;
  }
}
