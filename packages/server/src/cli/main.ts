#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { InvalidFieldError } from '../errors.js';
import { escapeUnprintable } from '../lib/printable.js';
import { apiKeyCommand } from './commands/apikey.js';
import { clientCommand } from './commands/client.js';
import { inspectCommand } from './commands/inspect.js';
import { keysCommand } from './commands/keys.js';
import { loginTokenCommand } from './commands/login-token.js';
import { adminTokenCommand, patCommand } from './commands/pat.js';
import { serveCommand } from './commands/serve.js';
import { tokenCommand } from './commands/token.js';
import { usageCommand } from './commands/usage.js';
import { userCommand } from './commands/user.js';
import { flagOf, requireSubcommand } from './common.js';
import { helpCommand } from './help-command.js';

const program = new Command('gridkey')
  .description('access-token service for energy and e-mobility data APIs')
  .version('0.1.0')
  .addCommand(serveCommand())
  .addCommand(clientCommand())
  .addCommand(keysCommand())
  .addCommand(loginTokenCommand())
  .addCommand(userCommand())
  .addCommand(apiKeyCommand())
  .addCommand(patCommand())
  .addCommand(adminTokenCommand())
  .addCommand(tokenCommand())
  .addCommand(inspectCommand())
  .addCommand(usageCommand());
// No action of its own, so that commander names an unknown command (with a
// suggestion) rather than passing it on as an argument.
requireSubcommand(
  program,
  'missing command: serve, client, user, apikey, pat, admin-token, keys, login-token, inspect or usage (gridkey --help lists them)',
);

/** Commander's error, one line: its `(Did you mean …?)` joins the line it follows. */
const oneLine = (text: string) =>
  text
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')
    .split('\n')
    .map(escapeUnprintable)
    .join('\n');

// Every command, at every depth: throw instead of exiting, one-line errors,
// and `help [command...]` in every group.
const configure = (cmd: Command): void => {
  if (cmd.commands.length > 0) cmd.addCommand(helpCommand(cmd));
  cmd.exitOverride().configureOutput({
    outputError: (text, write) => write(`gridkey: ${oneLine(text)}`),
  });
  cmd.commands.forEach(configure);
};
configure(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else {
    // One line: the message only, never a stack or a secret-bearing object.
    // A refused field is named as the flag that set it.
    const message =
      err instanceof InvalidFieldError
        ? `${flagOf(err.field)} ${err.problem}`
        : ((err as Error).message ?? String(err));
    // Messages may quote an argument: escaped, like everything printed.
    process.stderr.write(`gridkey: ${escapeUnprintable(message.split('\n')[0] ?? '')}\n`);
    process.exitCode = 1;
  }
}
