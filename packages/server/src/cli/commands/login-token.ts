import { Command } from 'commander';
import { parseScopeList } from '../../clients/client-registry.js';
import { UsageError } from '../../errors.js';
import { nowSeconds } from '../../lib/clock.js';
import { optionalExpiry } from '../../lib/iso-time.js';
import { canonicalUuid } from '../../lib/uuid.js';
import { describeLoginToken } from '../../tokens/login-tokens.js';
import {
  type CommonOptions,
  print,
  printRows,
  requireSubcommand,
  withCommonOptions,
  withGridkey,
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
      withGridkey(opts, async (gk) => {
        const now = nowSeconds(gk.clock);
        const { record, token } = await gk.loginTokens.create({
          customerUuid: opts.customer,
          scopes: parseScopeList(opts.scope),
          ...(opts.subject === undefined ? {} : { subjectUuid: opts.subject }),
          ...optionalExpiry(opts.expires, '--expires', now),
        });
        const { id, customer_uuid, ...rest } = describeLoginToken(record, now);
        print(opts, { id, customer_uuid, login_token: token, ...rest }, () =>
          [
            `id:          ${id}`,
            `login_token: ${token}`,
            'The login token is shown once: store it now.',
          ].join('\n'),
        );
      }),
    );

  withCommonOptions(group.command('list'))
    .description('list login tokens (never the tokens themselves)')
    .option('--customer <uuid>', 'only this customer’s')
    .action((opts: CommonOptions & { customer?: string }) =>
      withGridkey(opts, async (gk) => {
        const customerUuid = opts.customer === undefined ? undefined : canonicalUuid(opts.customer);
        if (opts.customer !== undefined && customerUuid === undefined)
          throw new UsageError('--customer must be a UUID');
        const now = nowSeconds(gk.clock);
        const rows = (
          await gk.loginTokens.list(customerUuid === undefined ? {} : { customerUuid })
        ).map((t) => describeLoginToken(t, now));
        printRows(
          opts,
          rows,
          'no login tokens',
          (t) => `${t.id}  ${t.customer_uuid}  ${t.status}  scope="${t.scope}"`,
        );
      }),
    );

  withCommonOptions(group.command('revoke').argument('<id>'))
    .description('revoke a login token and the access tokens derived from it')
    .action((idText: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const id = parseId(idText);
        const result = await gk.loginTokens.revoke(id);
        print(
          opts,
          { id, revoked: true, ...(result === 'already_revoked' ? { already_revoked: true } : {}) },
          () =>
            result === 'revoked'
              ? `revoked login token ${id}`
              : `login token ${id} was already revoked`,
        );
      }),
    );

  return requireSubcommand(group);
}
