import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { type Gridkey, openGridkey } from '../gridkey.js';
import { escapeUnprintable } from '../lib/printable.js';
import { cliActor, type OperationContext, operationContext } from '../operations/context.js';

export interface CommonOptions {
  dataDir?: string;
  db?: string;
  config?: string;
  json?: boolean;
}

/** The options every command takes (DESIGN.md, CLI contract). */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data directory (SQLite file, master key)', undefined)
    .option('--db <url>', 'database URL: sqlite:PATH or postgres://… (env GRIDKEY_DB)')
    .option('--config <file>', 'JSON configuration file (env GRIDKEY_CONFIG)')
    .option('--json', 'print JSON');
}

export function commandConfig(
  opts: CommonOptions,
  flags: Partial<Record<keyof Config, unknown>> = {},
): Config {
  return loadConfig({
    flags: { dataDir: opts.dataDir, db: opts.db, ...flags },
    env: process.env,
    ...(opts.config === undefined ? {} : { file: opts.config }),
    flagName: flagOfSetting,
  });
}

/** The configuration keys a flag sets (here and in `serve`), by the flag. */
const FLAG_OF_SETTING: Readonly<Record<string, string>> = {
  dataDir: '--data-dir',
  db: '--db',
  host: '--host',
  port: '--port',
  metricsPort: '--metrics-port',
  metricsHost: '--metrics-host',
  issuer: '--issuer',
  profiles: '--profile',
  logLevel: '--log-level',
  trustProxy: '--trust-proxy',
};

const flagOfSetting = (key: string): string | undefined => FLAG_OF_SETTING[key];

/** The flags whose names differ from the neutral field they set. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  customer_uuid: 'customer',
  subject_uuid: 'subject',
};

/** The CLI flag that sets a neutral field (`token_budget` → `--token-budget`). */
export function flagOf(field: string): string {
  return `--${FLAG_OF_FIELD[field] ?? field.replace(/_/g, '-')}`;
}

/**
 * Runs one operation as the CLI's actor (`cli:<user>@<host>`, audited like
 * any admin), on a store opened for this command and always closed.
 */
export function withOperations<T>(
  opts: CommonOptions,
  run: (ctx: OperationContext) => Promise<T>,
  options: { ensureKeys?: boolean } = {},
): Promise<T> {
  return withGridkey(opts, (gk) => run(operationContext(gk, cliActor())), options);
}

/** Opens the store for one command and always closes it. */
export async function withGridkey<T>(
  opts: CommonOptions,
  run: (gk: Gridkey) => Promise<T>,
  options: { ensureKeys?: boolean } = {},
): Promise<T> {
  const gk = await openGridkey(commandConfig(opts), options);
  try {
    return await run(gk);
  } finally {
    await gk.close();
  }
}

/**
 * JSON with --json (where JSON escapes every control character); otherwise
 * the human form, each line with its control and bidi characters escaped,
 * since names and claims come from outside input and a terminal would obey
 * them.
 */
export function print(opts: CommonOptions, data: unknown, human: () => string): void {
  process.stdout.write(
    opts.json
      ? `${JSON.stringify(data, null, 2)}\n`
      : `${human().split('\n').map(escapeUnprintable).join('\n')}\n`,
  );
}

export function parseWholeNumber(name: string) {
  return (value: string): number => {
    if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(value);
  };
}

/**
 * A command group run without a subcommand: one line naming the choices.
 * Commander would print the whole help page on stderr instead (the one time
 * it shows help as an error); the group keeps no action of its own, so that
 * a mistyped subcommand is named as unknown, with a suggestion.
 */
export function requireSubcommand(group: Command, message?: string): Command {
  return group.on('beforeHelp', (context: { error: boolean }) => {
    if (!context.error) return;
    const names = group.commands.map((c) => c.name()).filter((name) => name !== 'help');
    throw new UsageError(message ?? `${group.name()} needs a subcommand: ${names.join('|')}`);
  });
}

/**
 * A list: the rows as JSON with --json; otherwise one line each, or `empty`.
 * A row is escaped whole, so a newline in a stored name cannot forge a row.
 */
export function printRows<T>(
  opts: CommonOptions,
  rows: T[],
  empty: string,
  line: (row: T) => string,
): void {
  print(opts, rows, () =>
    rows.length === 0 ? empty : rows.map((row) => escapeUnprintable(line(row))).join('\n'),
  );
}
