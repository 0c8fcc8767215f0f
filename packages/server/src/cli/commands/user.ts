import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { describeUser } from '../../users/users.js';
import {
  type CommonOptions,
  print,
  printRows,
  requireSubcommand,
  withCommonOptions,
  withGridkey,
} from '../common.js';
import { readSecretFromStdin } from '../read-stdin.js';

interface PasswordOptions extends CommonOptions {
  passwordStdin?: boolean;
}

function requirePasswordStdin(opts: PasswordOptions): void {
  if (!opts.passwordStdin)
    throw new UsageError('--password-stdin is required: a password never goes on the command line');
}

export function userCommand(): Command {
  const group = new Command('user').description('end users of the password grant');

  withCommonOptions(group.command('create'))
    .description('create a user; the password is read from standard input')
    .requiredOption('--email <email>', 'the e-mail address (the username)')
    .option('--password-stdin', 'read the password from standard input')
    .action((opts: PasswordOptions & { email: string }) =>
      withGridkey(opts, async (gk) => {
        requirePasswordStdin(opts);
        const user = await gk.users.create(opts.email, await readSecretFromStdin('password'));
        const out = describeUser(user);
        print(opts, out, () => `created user ${out.id} <${out.email}>`);
      }),
    );

  withCommonOptions(group.command('list'))
    .description('list users')
    .action((opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const rows = (await gk.users.list()).map(describeUser);
        printRows(opts, rows, 'no users', (u) => `${u.id}  ${u.email}  ${u.status}`);
      }),
    );

  withCommonOptions(group.command('disable').argument('<user>', 'id or e-mail'))
    .description('disable a user and revoke all their refresh tokens')
    .action((who: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const user = await gk.users.disable(who);
        print(
          opts,
          { id: user.id, email: user.email, disabled: true },
          () => `disabled ${user.email}`,
        );
      }),
    );

  withCommonOptions(group.command('revoke-tokens').argument('<user>', 'id or e-mail'))
    .description('revoke every refresh token of a user and the access tokens they issued')
    .action((who: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const user = await gk.users.revokeTokens(who);
        print(
          opts,
          { id: user.id, email: user.email, tokens_revoked: true },
          () => `revoked every token of ${user.email}`,
        );
      }),
    );

  withCommonOptions(group.command('delete').argument('<user>', 'id or e-mail'))
    .description('delete a user and revoke all their refresh tokens')
    .action((who: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const user = await gk.users.delete(who);
        print(
          opts,
          { id: user.id, email: user.email, deleted: true },
          () => `deleted ${user.email}`,
        );
      }),
    );

  withCommonOptions(group.command('set-password').argument('<user>', 'id or e-mail'))
    .description('set a new password, read from standard input')
    .option('--password-stdin', 'read the password from standard input')
    .action((who: string, opts: PasswordOptions) =>
      withGridkey(opts, async (gk) => {
        requirePasswordStdin(opts);
        const user = await gk.users.setPassword(who, await readSecretFromStdin('password'));
        print(
          opts,
          { id: user.id, email: user.email, password_set: true },
          () => `new password set for ${user.email}`,
        );
      }),
    );

  return requireSubcommand(group);
}
