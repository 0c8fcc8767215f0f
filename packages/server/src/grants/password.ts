import { InvalidGrantError, InvalidRequestError, TooManyRequestsError } from '../errors.js';
import { spendEach } from '../limits/limiter.js';
import { MAX_PASSWORD_BYTES } from '../secrets/password-hash.js';
import type { Grant, GrantContext } from './grant.js';
import { issueUserTokens } from './issue-user-tokens.js';
import { resolveScope } from './resolve-scope.js';

/**
 * Reserves one failure from both budgets before the (deliberately slow)
 * password check, so a burst of parallel guesses cannot all pass a
 * check-then-count; a successful login gives them back.
 */
async function reserveAttempt(
  ctx: GrantContext,
  usernameKey: string,
): Promise<() => Promise<void>> {
  const { passwordFailuresByUsername: byUser, passwordFailuresByAddress: byAddress } = ctx.limits;
  const wait = await spendEach([
    [byUser, usernameKey],
    [byAddress, ctx.address],
  ]);
  if (wait !== undefined)
    throw new TooManyRequestsError('too many failed logins; try again later', wait);
  return async () => {
    await Promise.all([byUser.refund(usernameKey), byAddress.refund(ctx.address)]);
  };
}

/**
 * RFC 6749 §4.3 resource owner password credentials. A wrong password, an
 * unknown user and a disabled one get the same answer after the same work
 * (RFC 9700 §2.4 deprecates this grant; it is here because platforms such as
 * NET2GRID document it).
 */
export const passwordGrant: Grant = {
  grantType: 'password',
  async handle(ctx) {
    const username = ctx.params.require('username');
    const password = ctx.params.require('password');
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES || username.length > 320) {
      throw new InvalidRequestError('username or password is too long');
    }
    const usernameKey = username.trim().normalize('NFC').toLowerCase();
    const scopes = resolveScope(ctx.params.get('scope'), ctx.client.scopes);
    const refund = await reserveAttempt(ctx, usernameKey);
    const user = await ctx.gk.users.authenticate(username, password);
    if (user === undefined) throw new InvalidGrantError('the username or password is wrong');
    await refund();
    const response = await issueUserTokens(ctx, 'password', {
      user,
      grantedScopes: scopes,
      accessScopes: scopes,
    });
    if (response === 'lost_race') throw new Error('a new refresh-token family cannot lose a race');
    return response;
  },
};
