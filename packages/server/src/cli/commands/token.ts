import { Command } from 'commander';
import { revokeAccessTokenById } from '../../tokens/access-token.js';
import {
  type CommonOptions,
  print,
  requireSubcommand,
  withCommonOptions,
  withGridkey,
} from '../common.js';

/** `gridkey token revoke JTI`: one access token, by its id. */
export function tokenCommand(): Command {
  const group = new Command('token').description('access tokens');

  withCommonOptions(group.command('revoke').argument('<jti>', 'the token id (jti claim)'))
    .description('revoke one access token by its jti; verifiers refuse it within 2 s')
    .action((jti: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        await revokeAccessTokenById(gk, jti);
        print(opts, { jti, revoked: true }, () => `revoked access token ${jti}`);
      }),
    );

  return requireSubcommand(group);
}
