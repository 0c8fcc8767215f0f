import { Command } from 'commander';
import { rotateSigningKeys } from '../../keys/key-ring.js';
import { publishedUntil } from '../../keys/signing-key.js';
import { nowSeconds } from '../../lib/clock.js';
import type { SigningKeyRecord } from '../../store/types.js';
import {
  type CommonOptions,
  parseWholeNumber,
  print,
  requireSubcommand,
  withCommonOptions,
  withGridkey,
} from '../common.js';

const iso = (seconds: number | null) =>
  seconds === null ? null : new Date(seconds * 1000).toISOString();

function describeKey(k: SigningKeyRecord, now: number, maxTtl: number) {
  const status =
    k.activeFrom > now ? 'next' : k.retiredAt === null || k.retiredAt > now ? 'active' : 'retired';
  return {
    kid: k.kid,
    alg: k.alg,
    status,
    created_at: iso(k.createdAt),
    active_from: iso(k.activeFrom),
    retired_at: iso(k.retiredAt),
    published_until: iso(publishedUntil(k, maxTtl)),
  };
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('signing keys');

  withCommonOptions(keys.command('list'))
    .description('list signing keys (public information only)')
    .action((opts: CommonOptions) =>
      withGridkey(
        opts,
        async (gk) => {
          const now = nowSeconds(gk.clock);
          const rows = (await gk.store.signingKeys.list()).map((k) =>
            describeKey(k, now, gk.config.accessTokenMaxTtlSeconds),
          );
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
      withGridkey(
        opts,
        async (gk) => {
          const now = nowSeconds(gk.clock);
          const result = await rotateSigningKeys({
            store: gk.store,
            keyEncryptionKey: gk.secrets.keyEncryptionKey,
            now,
            activationDelaySeconds: opts.activateIn ?? gk.config.keyActivationDelaySeconds,
            maxTokenTtlSeconds: gk.config.accessTokenMaxTtlSeconds,
          });
          const out = {
            created: result.created.map((k) =>
              describeKey(k, now, gk.config.accessTokenMaxTtlSeconds),
            ),
            retired: result.retired,
            deleted: result.deleted,
          };
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
