import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import {
  type ClientDescription,
  type ClientUpdateInput,
  createClient,
  deleteClient,
  listClients,
  revokeClientTokens,
  rotateClientSecret,
  showClient,
  updateClient,
} from '../../operations/clients.js';
import {
  type CommonOptions,
  parseWholeNumber,
  print,
  printRows,
  requireSubcommand,
  withCommonOptions,
  withOperations,
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

/** Turns `client update` flags into a neutral update; flags that exclude each other are refused here. */
function updateInput(opts: UpdateOptions): ClientUpdateInput {
  const input: ClientUpdateInput = {};
  if (opts.tokenBudget !== undefined) {
    if (opts.tokenBudget !== 'default' && !/^\d{1,7}$/.test(opts.tokenBudget)) {
      throw new UsageError(
        '--token-budget takes a whole number of token requests a minute, or "default"',
      );
    }
    input.token_budget = opts.tokenBudget === 'default' ? null : Number(opts.tokenBudget);
  }
  if (opts.reuseTokens !== undefined) {
    if (!['on', 'off'].includes(opts.reuseTokens))
      throw new UsageError('--reuse-tokens takes on or off');
    input.reuse_tokens = opts.reuseTokens === 'on';
  }
  if (opts.deprecate && opts.undeprecate)
    throw new UsageError('--deprecate and --undeprecate exclude each other');
  if (opts.deprecate) input.deprecated = true;
  if (opts.undeprecate) input.deprecated = false;
  if (opts.sunset !== undefined) {
    if (!opts.deprecate) throw new UsageError('--sunset goes with --deprecate');
    input.sunset = opts.sunset;
  }
  if (Object.keys(input).length === 0)
    throw new UsageError(
      'nothing to update: give --token-budget, --reuse-tokens, --deprecate or --undeprecate',
    );
  return input;
}

/** One line of `client list`: deprecated clients stand out, and whether they are still used. */
const clientLine = (c: ClientDescription) =>
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
      withOperations(opts, async (ctx) => {
        const out = await createClient(ctx, {
          name: opts.name,
          scope: opts.scope,
          audience: opts.audience,
          grants: opts.grants,
          auth: opts.auth,
          ttl: opts.ttl,
          token_budget: opts.tokenBudget,
          reuse_tokens: opts.reuseTokens,
          resource_server: opts.resourceServer,
        });
        print(opts, out, () =>
          [
            `client_id:     ${out.client_id}`,
            `client_secret: ${out.client_secret}`,
            'The secret is shown once: store it now.',
          ].join('\n'),
        );
      }),
    );

  withCommonOptions(client.command('list'))
    .description('list clients (never their secrets)')
    .action((opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        printRows(opts, await listClients(ctx), 'no clients', clientLine);
      }),
    );

  withCommonOptions(client.command('show').argument('<id>'))
    .description('show one client')
    .action((id: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        const c = await showClient(ctx, id);
        print(opts, c, () => JSON.stringify(c, null, 2));
      }),
    );

  withCommonOptions(client.command('rotate-secret').argument('<id>'))
    .description('replace the client secret; the old one stops working')
    .action((id: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await rotateClientSecret(ctx, id);
        print(
          opts,
          out,
          () => `client_secret: ${out.client_secret}\nThe secret is shown once: store it now.`,
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
      withOperations(opts, async (ctx) => {
        const updated = await updateClient(ctx, id, updateInput(opts));
        print(opts, updated, () => JSON.stringify(updated, null, 2));
      }),
    );

  withCommonOptions(client.command('revoke-tokens').argument('<id>'))
    .description('revoke every token issued to a client (after a leaked secret)')
    .action((id: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await revokeClientTokens(ctx, id);
        print(opts, out, () => `revoked every token of client ${id}`);
      }),
    );

  withCommonOptions(client.command('delete').argument('<id>'))
    .description('delete a client and revoke every token issued to it')
    .action((id: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        print(opts, await deleteClient(ctx, id), () => `deleted client ${id}`);
      }),
    );

  return requireSubcommand(client);
}
