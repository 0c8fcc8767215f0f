import { InvalidFieldError } from '../errors.js';
import { revokeAccessTokenById } from '../tokens/access-token.js';
import { type OperationContext, runAudited } from './context.js';

/** A jti as tokens carry it: 1 to 200 visible ASCII characters. */
const JTI = /^[\x21-\x7e]{1,200}$/;

/**
 * The user kill switch: every refresh token of the user (by id or e-mail)
 * and the access tokens they issued, until now. The user stays and can log
 * in again; the token-state feed tells verifiers within 2 s.
 */
export async function revokeUserTokens(
  ctx: OperationContext,
  idOrEmail: string,
): Promise<{ id: string; email: string; tokens_revoked: true }> {
  return runAudited(ctx, 'user.revoke_tokens', idOrEmail, async () => {
    const user = await ctx.gk.users.revokeTokens(idOrEmail);
    return {
      result: { id: user.id, email: user.email, tokens_revoked: true as const },
      target: user.id,
      detail: { email: user.email },
    };
  });
}

/**
 * One access token by its id (`jti`). Its expiry is not known here, so the
 * revocation is kept as long as any access token may live; the feed tells
 * verifiers within 2 s.
 */
export async function revokeAccessToken(
  ctx: OperationContext,
  jti: string,
): Promise<{ jti: string; revoked: true }> {
  return runAudited(ctx, 'token.revoke', jti, async () => {
    if (!JTI.test(jti))
      throw new InvalidFieldError('jti', 'must be 1 to 200 visible ASCII characters');
    await revokeAccessTokenById(ctx.gk, jti);
    return { result: { jti, revoked: true as const } };
  });
}
