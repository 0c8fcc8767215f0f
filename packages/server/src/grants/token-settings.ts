import type { Config } from '../config/schema.js';
import { InvalidTargetError } from '../errors.js';
import type { GrantRequest } from './grant.js';

/** The server's access-token lifetimes, which every grant applies. */
export type AccessTokenLifetimes = Pick<
  Config,
  'accessTokenTtlSeconds' | 'accessTokenMaxTtlSeconds'
>;

/** The audience asked for must be registered for the client; none: its first, else the issuer. */
export function resolveAudience(request: GrantRequest): string {
  const requested = request.params.get('audience');
  if (requested === undefined) return request.client.audiences[0] ?? request.issuer;
  if (!request.client.audiences.includes(requested)) {
    throw new InvalidTargetError('the requested audience is not registered for this client');
  }
  return requested;
}

/**
 * The client's own lifetime, else the profile's, else the server default;
 * capped at the maximum in force now, since retired keys leave the JWKS after it.
 */
export function accessTokenTtl(config: AccessTokenLifetimes, request: GrantRequest): number {
  return Math.min(
    request.client.accessTokenTtlSeconds ??
      request.profile.accessTokenTtlSeconds ??
      config.accessTokenTtlSeconds,
    config.accessTokenMaxTtlSeconds,
  );
}
