import { Command } from 'commander';
import { InvalidFieldError, UsageError } from '../../errors.js';
import { revokeUserTokens } from '../../operations/revocations.js';
import {
  createUser,
  deleteUser,
  disableUser,
  listUsers,
  setUserPassword,
} from '../../operations/users.js';
import {
  type CommonOptions,
  print,
  printRows,
  requireSubcommand,
  withCommonOptions,
  withOperations,
} from '../common.js';
import { readSecretFromStdin } from '../read-stdin.js';

interface PasswordOptions extends CommonOptions {
  passwordStdin?: boolean;
}

/** The password, from standard input only: a password never goes on the command line. */
function passwordFromStdin(opts: PasswordOptions): Promise<string> {
  if (!opts.passwordStdin)
    throw new UsageError('--password-stdin is required: a password never goes on the command line');
  return readSecretFromStdin('password');
}

/**
 * The CLI's `password` field is standard input, not a flag: a refused
 * password is named so (the problem never quotes it).
 */
function namingStdinPassword(err: unknown): never {
  if (err instanceof InvalidFieldError && err.field === 'password')
    throw new UsageError(`the password on standard input ${err.problem}`);
  throw err;
}

export function userCommand(): Command {
  const group = new Command('user').description('end users of the password grant');

  withCommonOptions(group.command('create'))
    .description('create a user; the password is read from standard input')
    .requiredOption('--email <email>', 'the e-mail address (the username)')
    .option('--password-stdin', 'read the password from standard input')
    .action((opts: PasswordOptions & { email: string }) =>
      withOperations(opts, async (ctx) => {
        const password = await passwordFromStdin(opts);
        const out = await createUser(ctx, { email: opts.email, password }).catch(
          namingStdinPassword,
        );
        print(opts, out, () => `created user ${out.id} <${out.email}>`);
      }),
    );

  withCommonOptions(group.command('list'))
    .description('list users')
    .action((opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        printRows(
          opts,
          await listUsers(ctx),
          'no users',
          (u) => `${u.id}  ${u.email}  ${u.status}`,
        );
      }),
    );

  withCommonOptions(group.command('disable').argument('<user>', 'id or e-mail'))
    .description('disable a user and revoke all their refresh tokens')
    .action((who: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await disableUser(ctx, who);
        print(opts, out, () => `disabled ${out.email}`);
      }),
    );

  withCommonOptions(group.command('revoke-tokens').argument('<user>', 'id or e-mail'))
    .description('revoke every refresh token of a user and the access tokens they issued')
    .action((who: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await revokeUserTokens(ctx, who);
        print(opts, out, () => `revoked every token of ${out.email}`);
      }),
    );

  withCommonOptions(group.command('delete').argument('<user>', 'id or e-mail'))
    .description('delete a user and revoke all their refresh tokens')
    .action((who: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await deleteUser(ctx, who);
        print(opts, out, () => `deleted ${out.email}`);
      }),
    );

  withCommonOptions(group.command('set-password').argument('<user>', 'id or e-mail'))
    .description('set a new password, read from standard input')
    .option('--password-stdin', 'read the password from standard input')
    .action((who: string, opts: PasswordOptions) =>
      withOperations(opts, async (ctx) => {
        const password = await passwordFromStdin(opts);
        const out = await setUserPassword(ctx, who, { password }).catch(namingStdinPassword);
        print(opts, out, () => `new password set for ${out.email}`);
      }),
    );

  return requireSubcommand(group);
}
