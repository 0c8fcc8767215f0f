import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import {
  createLoginToken,
  listLoginTokens,
  revokeLoginToken,
} from '../../operations/login-tokens.js';
import {
  type CommonOptions,
  print,
  printRows,
  requireSubcommand,
  withCommonOptions,
  withOperations,
} from '../common.js';

interface CreateOptions extends CommonOptions {
  customer: string;
  subject?: string;
  scope?: string;
  expires?: string;
}

function parseId(text: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(text))
    throw new UsageError(`login token ids are whole numbers, not ${JSON.stringify(text)}`);
  return Number(text);
}

export function loginTokenCommand(): Command {
  const group = new Command('login-token').description(
    "customers' long-lived login tokens, exchanged at POST /access_tokens",
  );

  withCommonOptions(group.command('create'))
    .description('issue a login token to a customer; it is shown once')
    .requiredOption('--customer <uuid>', 'the customer the token belongs to')
    .option('--subject <uuid>', 'sub of derived access tokens (default: the customer)')
    .option('--scope <scopes>', 'space-separated permissions its access tokens inherit')
    .option('--expires <iso>', 'expiry, ISO 8601 (default: none)')
    .action((opts: CreateOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await createLoginToken(ctx, {
          customer_uuid: opts.customer,
          subject_uuid: opts.subject,
          scope: opts.scope,
          expires: opts.expires,
        });
        print(opts, out, () =>
          [
            `id:          ${out.id}`,
            `login_token: ${out.login_token}`,
            'The login token is shown once: store it now.',
          ].join('\n'),
        );
      }),
    );

  withCommonOptions(group.command('list'))
    .description('list login tokens (never the tokens themselves)')
    .option('--customer <uuid>', 'only this customer’s')
    .action((opts: CommonOptions & { customer?: string }) =>
      withOperations(opts, async (ctx) => {
        printRows(
          opts,
          await listLoginTokens(ctx, { customer_uuid: opts.customer }),
          'no login tokens',
          (t) => `${t.id}  ${t.customer_uuid}  ${t.status}  scope="${t.scope}"`,
        );
      }),
    );

  withCommonOptions(group.command('revoke').argument('<id>'))
    .description('revoke a login token and the access tokens derived from it')
    .action((idText: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await revokeLoginToken(ctx, parseId(idText));
        print(opts, out, () =>
          out.already_revoked
            ? `login token ${out.id} was already revoked`
            : `revoked login token ${out.id}`,
        );
      }),
    );

  return requireSubcommand(group);
}
