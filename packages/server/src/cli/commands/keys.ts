import { Command } from 'commander';
import { listSigningKeys, rotateKeys } from '../../operations/signing-keys.js';
import {
  type CommonOptions,
  parseWholeNumber,
  print,
  requireSubcommand,
  withCommonOptions,
  withOperations,
} from '../common.js';

export function keysCommand(): Command {
  const keys = new Command('keys').description('signing keys');

  withCommonOptions(keys.command('list'))
    .description('list signing keys (public information only)')
    .action((opts: CommonOptions) =>
      withOperations(
        opts,
        async (ctx) => {
          const rows = await listSigningKeys(ctx);
          print(opts, rows, () =>
            rows
              .map((k) => `${k.kid}  ${k.alg}  ${k.status}  active from ${k.active_from}`)
              .join('\n'),
          );
        },
        { ensureKeys: true },
      ),
    );

  withCommonOptions(keys.command('rotate'))
    .description('add new signing keys: published now, signing after the activation delay')
    .option(
      '--activate-in <seconds>',
      'seconds until the new keys sign',
      parseWholeNumber('--activate-in'),
    )
    .action((opts: CommonOptions & { activateIn?: number }) =>
      withOperations(
        opts,
        async (ctx) => {
          const out = await rotateKeys(ctx, { activate_in: opts.activateIn });
          print(opts, out, () =>
            out.created
              .map((k) => `new ${k.alg} key ${k.kid} signs from ${k.active_from}`)
              .join('\n'),
          );
        },
        { ensureKeys: true },
      ),
    );
  return requireSubcommand(keys);
}
