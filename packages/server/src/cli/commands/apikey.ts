import { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../../operations/api-keys.js';
import {
  type CommonOptions,
  print,
  printRows,
  requireSubcommand,
  withCommonOptions,
  withOperations,
} from '../common.js';

interface CreateOptions extends CommonOptions {
  name: string;
  scope?: string;
  expires?: string;
}

export function apiKeyCommand(): Command {
  const group = new Command('apikey').description('API keys (gk_…) for API consumers');

  withCommonOptions(group.command('create'))
    .description('create an API key; it is shown once')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--scope <scopes>', 'space-separated scopes')
    .option('--expires <iso>', 'expiry, ISO 8601 (default: none)')
    .action((opts: CreateOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await createApiKey(ctx, {
          name: opts.name,
          scope: opts.scope,
          expires: opts.expires,
        });
        print(opts, out, () =>
          [`id:  ${out.id}`, `key: ${out.key}`, 'The key is shown once: store it now.'].join('\n'),
        );
      }),
    );

  withCommonOptions(group.command('list'))
    .description('list API keys (prefix and last four characters only)')
    .action((opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        printRows(
          opts,
          await listApiKeys(ctx),
          'no API keys',
          (k) => `${k.id}  ${k.key_hint}  ${k.name}  ${k.status}`,
        );
      }),
    );

  withCommonOptions(group.command('revoke').argument('<id>'))
    .description('revoke an API key; it stops working at once')
    .action((id: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        print(opts, await revokeApiKey(ctx, id), () => `revoked API key ${id}`);
      }),
    );

  return requireSubcommand(group);
}
