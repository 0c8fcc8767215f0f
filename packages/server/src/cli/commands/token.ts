import { Command } from 'commander';
import { InvalidFieldError, UsageError } from '../../errors.js';
import { revokeAccessToken } from '../../operations/revocations.js';
import {
  type CommonOptions,
  print,
  requireSubcommand,
  withCommonOptions,
  withOperations,
} from '../common.js';

/** The CLI's `jti` field is the JTI argument, not a flag: a refused one is named so. */
function namingJtiArgument(err: unknown): never {
  if (err instanceof InvalidFieldError && err.field === 'jti')
    throw new UsageError(`JTI ${err.problem}`);
  throw err;
}

/** `gridkey token revoke JTI`: one access token, by its id. */
export function tokenCommand(): Command {
  const group = new Command('token').description('access tokens');

  withCommonOptions(group.command('revoke').argument('<jti>', 'the token id (jti claim)'))
    .description('revoke one access token by its jti; verifiers refuse it within 2 s')
    .action((jti: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await revokeAccessToken(ctx, jti).catch(namingJtiArgument);
        print(opts, out, () => `revoked access token ${out.jti}`);
      }),
    );

  return requireSubcommand(group);
}
