import { Command } from 'commander';
import { describeClient, parseScopeList } from '../../clients/client-registry.js';
import {
  type CommonOptions,
  parseWholeNumber,
  print,
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
}

const table = (rows: ReturnType<typeof describeClient>[]) =>
  rows.length === 0
    ? 'no clients'
    : rows
        .map((c) => `${c.client_id}  ${c.name}  [${c.grant_types.join(' ')}]  scope="${c.scope}"`)
        .join('\n');

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
    .action((opts: CreateOptions) =>
      withGridkey(opts, async (gk) => {
        const { client: c, secret } = await gk.clients.create({
          name: opts.name,
          scopes: parseScopeList(opts.scope),
          audiences: parseScopeList(opts.audience),
          ...(opts.grants === undefined ? {} : { grantTypes: parseScopeList(opts.grants) }),
          ...(opts.auth === undefined ? {} : { authMethod: opts.auth }),
          ...(opts.ttl === undefined ? {} : { accessTokenTtlSeconds: opts.ttl }),
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
        print(opts, rows, () => table(rows));
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

  withCommonOptions(client.command('delete').argument('<id>'))
    .description('delete a client')
    .action((id: string, opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        await gk.clients.delete(id);
        print(opts, { client_id: id, deleted: true }, () => `deleted client ${id}`);
      }),
    );

  return requireSubcommand(client);
}
