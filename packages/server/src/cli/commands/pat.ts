import { Command } from 'commander';
import { parseScopeList } from '../../clients/client-registry.js';
import type { Gridkey } from '../../gridkey.js';
import { nowSeconds } from '../../lib/clock.js';
import { optionalExpiry, parseFutureIsoTime } from '../../lib/iso-time.js';
import { describePat } from '../../tokens/pats.js';
import {
  type CommonOptions,
  print,
  printRows,
  requireSubcommand,
  withCommonOptions,
  withGridkey,
} from '../common.js';

const cliAudit = (
  gk: Gridkey,
  action: string,
  target: string,
  detail: Record<string, unknown> = {},
) => gk.audit.record({ actor: 'cli', action, target, address: 'cli', detail });

export function patCommand(): Command {
  const group = new Command('pat').description('personal access tokens (kostal profile)');

  withCommonOptions(group.command('create'))
    .description('create a PAT (pending until authorised); the token is shown once')
    .requiredOption('--name <name>', 'user, application or device that will use it')
    .requiredOption('--role <role>', 'admin, user, viewer or a configured role')
    .option('--scope <scopes>', 'narrow the role’s scopes')
    .option('--expires <iso>', 'expiry, ISO 8601 (default: patDefaultTtlSeconds from now)')
    .action(
      (opts: CommonOptions & { name: string; role: string; scope?: string; expires?: string }) =>
        withGridkey(
          opts,
          async (gk) => {
            const now = nowSeconds(gk.clock);
            const { record, token } = await gk.pats.create({
              name: opts.name,
              role: opts.role,
              scopes: parseScopeList(opts.scope),
              ...optionalExpiry(opts.expires, '--expires', now),
            });
            await cliAudit(gk, 'pat.create', record.id, { name: record.name, role: record.role });
            const { id, status, ...rest } = describePat(record, now);
            print(opts, { id, token, status, ...rest }, () =>
              [
                `id:    ${id}`,
                `token: ${token}`,
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
    .action(
      (id: string, opts: CommonOptions & { api?: boolean; web?: boolean; expires?: string }) =>
        withGridkey(opts, async (gk) => {
          const now = nowSeconds(gk.clock);
          const pat = await gk.pats.authorise(id, {
            api: opts.api === true,
            web: opts.web === true,
            ...(opts.expires === undefined
              ? {}
              : { until: parseFutureIsoTime(opts.expires, '--expires', now) }),
          });
          await cliAudit(gk, 'pat.authorise', id, {
            api: pat.authorisedApi,
            web: pat.authorisedWeb,
          });
          const out = describePat(pat, now);
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
      withGridkey(opts, async (gk) => {
        const pat = await gk.pats.revoke(id);
        await cliAudit(gk, 'pat.revoke', id, { name: pat.name });
        const out = describePat(pat, nowSeconds(gk.clock));
        print(opts, out, () => `revoked ${out.name}`);
      }),
    );

  withCommonOptions(group.command('list'))
    .description('list PATs (never the tokens)')
    .action((opts: CommonOptions) =>
      withGridkey(opts, async (gk) => {
        const now = nowSeconds(gk.clock);
        const rows = (await gk.pats.list()).map((p) => describePat(p, now));
        printRows(
          opts,
          rows,
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
      withGridkey(
        opts,
        async (gk) => {
          const { record, token } = await gk.pats.createAdminToken(opts.name);
          await cliAudit(gk, 'admin_token.create', record.id, { name: record.name });
          print(opts, { token, id: record.id }, () =>
            [
              `token: ${token}`,
              'The token is shown once: store it now. Sign in at /admin/ with it.',
            ].join('\n'),
          );
        },
        { ensureKeys: true },
      ),
    );
  return requireSubcommand(group);
}
