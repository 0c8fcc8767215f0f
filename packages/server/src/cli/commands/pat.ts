import { Command } from 'commander';
import {
  authorisePat,
  createAdminToken,
  createPat,
  listPats,
  revokePat,
} from '../../operations/pats.js';
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
  role: string;
  scope?: string;
  expires?: string;
}

interface AuthoriseOptions extends CommonOptions {
  api?: boolean;
  web?: boolean;
  expires?: string;
}

export function patCommand(): Command {
  const group = new Command('pat').description('personal access tokens (kostal profile)');

  withCommonOptions(group.command('create'))
    .description('create a PAT (pending until authorised); the token is shown once')
    .requiredOption('--name <name>', 'user, application or device that will use it')
    .requiredOption('--role <role>', 'admin, user, viewer or a configured role')
    .option('--scope <scopes>', 'narrow the role’s scopes')
    .option('--expires <iso>', 'expiry, ISO 8601 (default: patDefaultTtlSeconds from now)')
    .action((opts: CreateOptions) =>
      withOperations(
        opts,
        async (ctx) => {
          const out = await createPat(ctx, {
            name: opts.name,
            role: opts.role,
            scope: opts.scope,
            expires: opts.expires,
          });
          print(opts, out, () =>
            [
              `id:    ${out.id}`,
              `token: ${out.token}`,
              'The token is shown once: store it now. Authorise it before use.',
            ].join('\n'),
          );
        },
        { ensureKeys: true },
      ),
    );

  withCommonOptions(group.command('authorise').argument('<id>'))
    .alias('authorize')
    .description('authorise a PAT for the JSON API and/or the web page')
    .option('--api', 'the JSON API')
    .option('--web', 'the web page')
    .option('--expires <iso>', 'a shorter lifetime, ISO 8601')
    .action((id: string, opts: AuthoriseOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await authorisePat(ctx, id, {
          api: opts.api,
          web: opts.web,
          expires: opts.expires,
        });
        print(
          opts,
          out,
          () => `authorised ${out.name}: api=${out.api} web=${out.web} until ${out.expires_at}`,
        );
      }),
    );

  withCommonOptions(group.command('revoke').argument('<id>'))
    .description('revoke a PAT; every later request with it is rejected')
    .action((id: string, opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        const out = await revokePat(ctx, id);
        print(opts, out, () => `revoked ${out.name}`);
      }),
    );

  withCommonOptions(group.command('list'))
    .description('list PATs (never the tokens)')
    .action((opts: CommonOptions) =>
      withOperations(opts, async (ctx) => {
        printRows(
          opts,
          await listPats(ctx),
          'no PATs',
          (p) =>
            `${p.id}  ${p.name}  ${p.role}  ${p.status}  api=${p.api} web=${p.web}  expires ${p.expires_at}`,
        );
      }),
    );

  return requireSubcommand(group);
}

export function adminTokenCommand(): Command {
  const group = new Command('admin-token').description(
    'bootstrap admin tokens for the admin API and page',
  );
  withCommonOptions(group.command('create'))
    .description('create an admin PAT, authorised for the API and the web page; shown once')
    .option('--name <name>', 'its name', 'admin')
    .action((opts: CommonOptions & { name: string }) =>
      withOperations(
        opts,
        async (ctx) => {
          const out = await createAdminToken(ctx, { name: opts.name });
          print(opts, out, () =>
            [
              `token: ${out.token}`,
              'The token is shown once: store it now. Sign in at /admin/ with it.',
            ].join('\n'),
          );
        },
        { ensureKeys: true },
      ),
    );
  return requireSubcommand(group);
}
