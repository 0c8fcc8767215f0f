import { Command } from 'commander';
import { describeClient, parseScopeList } from '../../clients/client-registry.js';
import { UsageError } from '../../errors.js';
import { nowSeconds } from '../../lib/clock.js';
import { parseFutureIsoTime } from '../../lib/iso-time.js';
import type { ClientPolicyUpdate } from '../../store/types.js';
import {
  type CommonOptions,
  parseWholeNumber,
  print,
  printRows,
  requireSubcommand,
  withCommonOptions,
  withGridkey,
} from '../common.js';

interface CreateOptions extends CommonOptions {
  name: string;
  scope?: string;
  auth?: string;
  grants?: string;
  ttl?: number;
  audience?: string;
  tokenBudget?: number;
  reuseTokens?: boolean;
  resourceServer?: boolean;
}

interface UpdateOptions extends CommonOptions {
  tokenBudget?: string;
  reuseTokens?: string;
  deprecate?: boolean;
  undeprecate?: boolean;
  sunset?: string;
}

/** Turns `client update` flags into a policy change; an empty change is a usage error. */
function policyUpdate(opts: UpdateOptions, now: number): ClientPolicyUpdate {
  const update: ClientPolicyUpdate = {};
  if (opts.tokenBudget !== undefined) {
    if (opts.tokenBudget !== 'default' && !/^\d{1,7}$/.test(opts.tokenBudget)) {
      throw new UsageError(
        '--token-budget takes a whole number of token requests a minute, or "default"',
      );
    }
    update.tokenBudgetPerMinute = opts.tokenBudget === 'default' ? null : Number(opts.tokenBudget);
  }
  if (opts.reuseTokens !== undefined) {
    if (!['on', 'off'].includes(opts.reuseTokens))
      throw new UsageError('--reuse-tokens takes on or off');
    update.reuseTokens = opts.reuseTokens === 'on';
  }
  if (opts.deprecate && opts.undeprecate)
    throw new UsageError('--deprecate and --undeprecate exclude each other');
  if (opts.deprecate) update.deprecatedAt = now;
  if (opts.undeprecate) {
    update.deprecatedAt = null;
    update.sunsetAt = null;
  }
  if (opts.sunset !== undefined) {
    if (!opts.deprecate) throw new UsageError('--sunset goes with --deprecate');
    update.sunsetAt = parseFutureIsoTime(opts.sunset, '--sunset', now);
  }
  if (Object.keys(update).length === 0)
    throw new UsageError(
      'nothing to update: give --token-budget, --reuse-tokens, --deprecate or --undeprecate',
    );
  return update;
}

/** One line of `client list`: deprecated clients stand out, and whether they are still used. */
const clientLine = (c: ReturnType<typeof describeClient>) =>
  `${c.client_id}  ${c.name}  [${c.grant_types.join(' ')}]  scope="${c.scope}"` +
  (c.deprecated ? `  DEPRECATED${c.in_use_since_deprecation ? ' (still in use)' : ''}` : '');

export function clientCommand(): Command {
  const client = new Command('client').description('register and manage OAuth clients');

  withCommonOptions(client.command('create'))
    .description('register a client; its secret is shown once')
    .requiredOption('--name <name>', 'client name')
    .option('--scope <scopes>', 'space-separated scopes the client may request')
    .option('--auth <method>', 'client_secret_basic (default) or client_secret_post')
    .option('--grants <grants>', 'space-separated grant types (default client_credentials)')
    .option('--ttl <seconds>', 'access-token lifetime', parseWholeNumber('--ttl'))
    .option('--audience <audiences>', 'space-separated audiences the client may request')
    .option(
      '--token-budget <n>',
      'client_credentials token requests a minute (default: the server’s)',
      parseWholeNumber('--token-budget'),
    )
    .option(
      '--reuse-tokens',
      'answer repeated client_credentials requests with the still-valid token',
    )
    .option(
      '--resource-server',
      'may introspect every token, not only its own and those whose audience names it',
    )
    .action((opts: CreateOptions) =>
      withGridkey(opts, async (gk) => {
        const { client: c, secret } = await gk.clients.create({
          name: opts.name,
          scopes: parseScopeList(opts.scope),
          audiences: parseScopeList(opts.audience),
          ...(opts.grants === undefined ? {} : { grantTypes: parseScopeList(opts.grants) }),
          ...(opts.auth === undefined ? {} : { authMethod: opts.auth }),
          ...(opts.ttl === undefined ? {} : { accessTokenTtlSeconds: opts.ttl }),
          ...(opts.tokenBudget === undefined ? {} : { tokenBudgetPerMinute: opts.tokenBudget }),
          ...(opts.reuseTokens ? { reuseTokens: true } : {}),
          ...(opts.resourceServer ? { resourceServer: true } : {}),
        });
        const { client_id, ...rest } = describeClient(c);
        const out = { client_id, client_secret: secret, ...rest };
        print(opts, out, () =>
          [
            `client_id:     ${c.clientId}`,
            `client_secret: ${secret}`,
            'The secret is shown once: store it now.',
          ].join('\n'),
        );
      }),
    );

  withCommonOptions(client.command('list'))
    .description('list clients (never their secrets)')
    .action((opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const rows = (await gk.clients.list()).map(describeClient);
        printRows(opts, rows, 'no clients', clientLine);
      }),
    );

  withCommonOptions(client.command('show').argument('<id>'))
    .description('show one client')
    .action((id: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const c = describeClient(await gk.clients.get(id));
        print(opts, c, () => JSON.stringify(c, null, 2));
      }),
    );

  withCommonOptions(client.command('rotate-secret').argument('<id>'))
    .description('replace the client secret; the old one stops working')
    .action((id: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const { clientId, secret } = await gk.clients.rotateSecret(id);
        print(
          opts,
          { client_id: clientId, client_secret: secret },
          () => `client_secret: ${secret}\nThe secret is shown once: store it now.`,
        );
      }),
    );

  withCommonOptions(client.command('update').argument('<id>'))
    .description('change a client’s token budget, token reuse or deprecation')
    .option('--token-budget <n>', 'client_credentials token requests a minute, or "default"')
    .option(
      '--reuse-tokens <on|off>',
      'answer repeated client_credentials requests with the still-valid token',
    )
    .option(
      '--deprecate',
      'mark deprecated: token responses carry Deprecation (and Sunset) headers',
    )
    .option('--sunset <iso>', 'with --deprecate: when the client stops working, ISO 8601')
    .option('--undeprecate', 'clear deprecation and sunset')
    .action((id: string, opts: UpdateOptions) =>
      withGridkey(opts, async (gk) => {
        const updated = describeClient(
          await gk.clients.update(id, policyUpdate(opts, nowSeconds(gk.clock))),
        );
        print(opts, updated, () => JSON.stringify(updated, null, 2));
      }),
    );

  withCommonOptions(client.command('revoke-tokens').argument('<id>'))
    .description('revoke every token issued to a client (after a leaked secret)')
    .action((id: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        await gk.clients.revokeTokens(id);
        print(
          opts,
          { client_id: id, tokens_revoked: true },
          () => `revoked every token of client ${id}`,
        );
      }),
    );

  withCommonOptions(client.command('delete').argument('<id>'))
    .description('delete a client and revoke every token issued to it')
    .action((id: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        await gk.clients.delete(id);
        print(opts, { client_id: id, deleted: true }, () => `deleted client ${id}`);
      }),
    );

  return requireSubcommand(client);
}
