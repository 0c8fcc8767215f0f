import { InvalidGrantError, InvalidRequestError, TooManyRequestsError } from '../errors.js';
import { nowSeconds } from '../lib/clock.js';
import { MAX_PASSWORD_BYTES } from '../secrets/password-hash.js';
import type { Grant, GrantContext } from './grant.js';
import { issueUserTokens } from './issue-user-tokens.js';
import { resolveScope } from './resolve-scope.js';

async function refuseWhileBlocked(ctx: GrantContext, usernameKey: string): Promise<void> {
  const waits = await Promise.all([
    ctx.limits.passwordFailuresByUsername.blockedFor(usernameKey),
    ctx.limits.passwordFailuresByAddress.blockedFor(ctx.address),
  ]);
  const wait = Math.max(...waits.map((w) => w ?? 0));
  if (wait > 0) throw new TooManyRequestsError('too many failed logins; try again later', wait);
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
    await refuseWhileBlocked(ctx, usernameKey);
    const scopes = resolveScope(ctx.params.get('scope'), ctx.client.scopes);
    const user = await ctx.gk.users.authenticate(username, password);
    if (user === undefined) {
      await Promise.all([
        ctx.limits.passwordFailuresByUsername.spend(usernameKey),
        ctx.limits.passwordFailuresByAddress.spend(ctx.address),
      ]);
      throw new InvalidGrantError('the username or password is wrong');
    }
    const response = await issueUserTokens(ctx, 'password', {
      user,
      grantedScopes: scopes,
      accessScopes: scopes,
      authTime: nowSeconds(ctx.gk.clock),
    });
    if (response === 'lost_race') throw new Error('a new refresh-token family cannot lose a race');
    return response;
  },
};
