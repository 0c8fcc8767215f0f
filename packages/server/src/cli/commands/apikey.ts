import { Command } from 'commander';
import { parseScopeList } from '../../clients/client-registry.js';
import { nowSeconds } from '../../lib/clock.js';
import { optionalExpiry } from '../../lib/iso-time.js';
import { describeApiKey } from '../../tokens/api-keys.js';
import {
  type CommonOptions,
  print,
  printRows,
  requireSubcommand,
  withCommonOptions,
  withGridkey,
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
      withGridkey(opts, async (gk) => {
        const now = nowSeconds(gk.clock);
        const { record, key } = await gk.apiKeys.create({
          name: opts.name,
          scopes: parseScopeList(opts.scope),
          ...optionalExpiry(opts.expires, '--expires', now),
        });
        const { id, ...rest } = describeApiKey(record, now);
        print(opts, { id, key, ...rest }, () =>
          [`id:  ${id}`, `key: ${key}`, 'The key is shown once: store it now.'].join('\n'),
        );
      }),
    );

  withCommonOptions(group.command('list'))
    .description('list API keys (prefix and last four characters only)')
    .action((opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const now = nowSeconds(gk.clock);
        const rows = (await gk.apiKeys.list()).map((k) => describeApiKey(k, now));
        printRows(
          opts,
          rows,
          'no API keys',
          (k) => `${k.id}  ${k.key_hint}  ${k.name}  ${k.status}`,
        );
      }),
    );

  withCommonOptions(group.command('revoke').argument('<id>'))
    .description('revoke an API key; it stops working at once')
    .action((id: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const result = await gk.apiKeys.revoke(id);
        print(
          opts,
          { id, revoked: true, ...(result === 'already_revoked' ? { already_revoked: true } : {}) },
          () => `revoked API key ${id}`,
        );
      }),
    );

  return requireSubcommand(group);
}
