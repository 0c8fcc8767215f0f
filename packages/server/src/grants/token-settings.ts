import { InvalidTargetError } from '../errors.js';
import type { GrantContext } from './grant.js';

/** The audience asked for must be registered for the client; none: its first, else the issuer. */
export function resolveAudience(ctx: GrantContext): string {
  const requested = ctx.params.get('audience');
  if (requested === undefined) return ctx.client.audiences[0] ?? ctx.issuer;
  if (!ctx.client.audiences.includes(requested)) {
    throw new InvalidTargetError('the requested audience is not registered for this client');
  }
  return requested;
}

/**
 * The client's own lifetime, else the profile's, else the server default;
 * capped at the maximum in force now, since retired keys leave the JWKS after it.
 */
export function accessTokenTtl(ctx: GrantContext): number {
  return Math.min(
    ctx.client.accessTokenTtlSeconds ??
      ctx.profile.accessTokenTtlSeconds ??
      ctx.gk.config.accessTokenTtlSeconds,
    ctx.gk.config.accessTokenMaxTtlSeconds,
  );
}
