import { InvalidGrantError, InvalidRequestError, TooManyRequestsError } from '../errors.js';
import type { GrantLimits } from '../limits/grant-limits.js';
import { HashingBusyError } from '../secrets/hashing-gate.js';
import { MAX_PASSWORD_BYTES } from '../secrets/password-hash.js';
import type { Users } from '../users/users.js';
import type { Grant } from './grant.js';
import { issueUserTokens, type UserTokenDeps } from './issue-user-tokens.js';
import { resolveScope } from './resolve-scope.js';

/** The failure budgets a password login spends. */
export type PasswordLimits = Pick<
  GrantLimits,
  | 'passwordFailuresByAddress'
  | 'passwordFailuresByUsername'
  | 'passwordFailuresByUsernameAndAddress'
>;

/** What the password grant uses. */
export interface PasswordGrantDeps extends UserTokenDeps {
  users: Pick<Users, 'authenticate'>;
  limits: PasswordLimits;
}

/** An attempt that may go on to the password check; a right password gives its points back. */
interface Attempt {
  refund(): Promise<void>;
}

/**
 * Reserves one failure from every budget before the (deliberately slow)
 * password check, so a burst of parallel guesses cannot all pass a
 * check-then-count; a successful login gives them back.
 *
 * An address over its budget is refused with 429, the right password
 * included: that is what stops spraying. A username is public, so its
 * budget must not let anyone refuse the owner's password (OWASP ASVS 4.0.3
 * V2.2.1: anti-automation must also defeat account lock-out attacks). Once a
 * username is over its budget, only its guesses are bounded: an address that
 * has already failed for it a few times is answered `invalid_grant` without
 * its password being checked, and a right password from any other address
 * still logs in. Unchecked answers spend every budget, so the attacking
 * address still runs into its 429.
 */
async function reserveAttempt(
  limits: PasswordLimits,
  address: string,
  usernameKey: string,
): Promise<Attempt> {
  const { passwordFailuresByAddress: byAddress, passwordFailuresByUsername: byUser } = limits;
  const byPair = limits.passwordFailuresByUsernameAndAddress;
  const addressWait = await byAddress.spend(address);
  if (addressWait !== undefined) {
    throw new TooManyRequestsError('too many failed logins; try again later', addressWait);
  }
  // An address holds no spaces, so the pair key is unambiguous.
  const pairKey = `${address} ${usernameKey}`;
  const [userWait, pairWait] = await Promise.all([
    byUser.spend(usernameKey),
    byPair.spend(pairKey),
  ]);
  if (userWait !== undefined && pairWait !== undefined) {
    throw new InvalidGrantError('the username or password is wrong');
  }
  return {
    async refund() {
      await Promise.all([
        byAddress.refund(address),
        byUser.refund(usernameKey),
        byPair.refund(pairKey),
      ]);
    },
  };
}

/**
 * RFC 6749 §4.3 resource owner password credentials. A wrong password, an
 * unknown user and a disabled one get the same answer after the same work
 * (RFC 9700 §2.4 deprecates this grant; it is here because platforms such as
 * NET2GRID document it).
 */
export function passwordGrant(deps: PasswordGrantDeps): Grant {
  return {
    grantType: 'password',
    async handle(request) {
      const username = request.params.require('username');
      const password = request.params.require('password');
      if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES || username.length > 320) {
        throw new InvalidRequestError('username or password is too long');
      }
      const usernameKey = username.trim().normalize('NFC').toLowerCase();
      const scopes = resolveScope(request.params.get('scope'), request.client.scopes);
      const attempt = await reserveAttempt(deps.limits, request.address, usernameKey);
      const user = await deps.users.authenticate(username, password).catch(async (err) => {
        // Refused for want of a hashing slot (503): nothing was checked, so it is no failure.
        if (err instanceof HashingBusyError) await attempt.refund();
        throw err;
      });
      if (user === undefined) throw new InvalidGrantError('the username or password is wrong');
      await attempt.refund();
      const response = await issueUserTokens(deps, request, 'password', {
        user,
        grantedScopes: scopes,
        accessScopes: scopes,
      });
      if (response === 'lost_race')
        throw new Error('a new refresh-token family cannot lose a race');
      return response;
    },
  };
}
