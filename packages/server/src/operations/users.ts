import { describeUser } from '../users/users.js';
import { type OperationContext, runAudited } from './context.js';

/** What a user is described as, everywhere (CLI, admin API, page): never the password hash. */
export type UserDescription = ReturnType<typeof describeUser>;

/** A new user, by the neutral field names of the admin API. */
export interface NewUserInput {
  email: string;
  /** Checked against the password policy, hashed, and never audited, logged or returned. */
  password: string;
}

/** What an action on one user answers besides the flag saying what was done. */
interface UserRef {
  id: string;
  email: string;
}

/**
 * Creates a user of the password grant; refuses a taken or look-alike
 * address (`email`) and a password outside the policy (`password`).
 */
export async function createUser(
  ctx: OperationContext,
  input: NewUserInput,
): Promise<UserDescription> {
  // Refused, the target is the submitted address (never the password).
  return runAudited(ctx, 'user.create', input.email, async () => {
    const user = await ctx.gk.users.create(input.email, input.password);
    return { result: describeUser(user), target: user.id, detail: { email: user.email } };
  });
}

export async function listUsers(ctx: OperationContext): Promise<UserDescription[]> {
  return (await ctx.gk.users.list()).map(describeUser);
}

/** Disables the user (by id or e-mail) and revokes every refresh token they hold. */
export async function disableUser(
  ctx: OperationContext,
  idOrEmail: string,
): Promise<UserDescription & { disabled: true }> {
  return runAudited(ctx, 'user.disable', idOrEmail, async () => {
    const user = await ctx.gk.users.disable(idOrEmail);
    return {
      result: { ...describeUser(await ctx.gk.users.find(user.id)), disabled: true as const },
      target: user.id,
      detail: { email: user.email },
    };
  });
}

/** A new password (same checks as on creation); the user's tokens stay valid. */
export async function setUserPassword(
  ctx: OperationContext,
  idOrEmail: string,
  input: { password: string },
): Promise<UserRef & { password_set: true }> {
  return runAudited(ctx, 'user.set_password', idOrEmail, async () => {
    const user = await ctx.gk.users.setPassword(idOrEmail, input.password);
    return {
      result: { id: user.id, email: user.email, password_set: true as const },
      target: user.id,
      detail: { email: user.email },
    };
  });
}

/** Deletes the user, revoking and removing their refresh tokens. */
export async function deleteUser(
  ctx: OperationContext,
  idOrEmail: string,
): Promise<UserRef & { deleted: true }> {
  return runAudited(ctx, 'user.delete', idOrEmail, async () => {
    const user = await ctx.gk.users.delete(idOrEmail);
    return {
      result: { id: user.id, email: user.email, deleted: true as const },
      target: user.id,
      detail: { email: user.email },
    };
  });
}
