import { Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../../errors.js';
import { getUsage, topRequesters } from '../../operations/usage.js';
import type { CredentialKind, UsageGranularity } from '../../store/types.js';
import {
  type CommonOptions,
  parseWholeNumber,
  print,
  withCommonOptions,
  withOperations,
} from '../common.js';

interface UsageOptions extends CommonOptions {
  client?: string;
  apiKey?: string;
  pat?: string;
  since?: string;
  until?: string;
  granularity?: UsageGranularity;
  top?: boolean;
  instances?: number;
}

function parseGranularity(value: string): UsageGranularity {
  if (value === 'minute' || value === 'hour' || value === 'day') return value;
  throw new InvalidArgumentError('--granularity must be minute, hour or day');
}

/** The one credential the flags name, if any; two are refused, naming both flags. */
function credentialOf(opts: UsageOptions): { kind?: CredentialKind; id?: string } {
  const given = (
    [
      ['--client', 'client', opts.client],
      ['--api-key', 'api_key', opts.apiKey],
      ['--pat', 'pat', opts.pat],
    ] as const
  ).filter(([, , id]) => id !== undefined);
  if (given.length > 1) {
    throw new UsageError(`${given.map(([flag]) => flag).join(' and ')}: give at most one`);
  }
  const [only] = given;
  return only === undefined ? {} : { kind: only[1], id: only[2] as string };
}

/** Rows as aligned columns under a header; the last column is not padded. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const refusedText = (refused: Record<string, number>): string =>
  Object.entries(refused)
    .map(([error, n]) => `${error}=${n}`)
    .join(' ') || '-';

export function usageCommand(): Command {
  return withCommonOptions(new Command('usage'))
    .description('tokens issued and refused per client, and uses per API key and PAT')
    .option('--client <id>', 'one client (its client_id)')
    .option('--api-key <id>', 'one API key (its id)')
    .option('--pat <id>', 'one PAT (its id)')
    .option(
      '--since <time>',
      'ISO 8601 or unix seconds (default: an hour, a day or 30 days before --until)',
    )
    .option('--until <time>', 'ISO 8601 or unix seconds, inclusive (default: now)')
    .option('--granularity <minute|hour|day>', 'bucket width (default: hour)', parseGranularity)
    .option(
      '--top',
      'the clients issued the most tokens, flagged past what their lifetime justifies',
    )
    .option(
      '--instances <n>',
      'with --top: instances each client runs (default 1)',
      parseWholeNumber('--instances'),
    )
    .action((opts: UsageOptions) =>
      withOperations(opts, async (ctx) => {
        const range = { since: opts.since, until: opts.until, granularity: opts.granularity };
        if (opts.top) {
          const credential = credentialOf(opts);
          if (credential.kind !== undefined)
            throw new UsageError(
              '--top lists every client: leave out --client, --api-key and --pat',
            );
          const out = await topRequesters(ctx, { ...range, instances: opts.instances });
          print(opts, out, () =>
            out.clients.length === 0
              ? `no tokens issued from ${out.since} to ${out.until}`
              : table(
                  ['CLIENT', 'NAME', 'ISSUED', 'TTL', 'JUSTIFIED', 'FLAG'],
                  out.clients.map((c) => [
                    c.client_id,
                    c.name ?? '(deleted)',
                    String(c.tokens_issued),
                    `${c.access_token_ttl_seconds}s`,
                    String(c.justified_tokens),
                    c.over_requesting ? `over-requesting: ${c.advice}` : '-',
                  ]),
                ),
          );
          return;
        }
        if (opts.instances !== undefined) throw new UsageError('--instances goes with --top');
        const out = await getUsage(ctx, { ...range, ...credentialOf(opts) });
        print(opts, out, () =>
          out.buckets.length === 0
            ? `no usage from ${out.since} to ${out.until}`
            : table(
                ['START', 'KIND', 'ID', 'ISSUED', 'USES', 'REFUSED'],
                out.buckets.map((b) => [
                  b.start,
                  b.kind,
                  b.id,
                  String(b.tokens_issued),
                  String(b.uses),
                  refusedText(b.refused),
                ]),
              ),
        );
      }),
    );
}
