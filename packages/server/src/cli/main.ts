#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { InvalidFieldError, UsageError } from '../errors.js';
import { escapeUnprintable } from '../lib/printable.js';
import { apiKeyCommand } from './commands/apikey.js';
import { clientCommand } from './commands/client.js';
import { inspectCommand } from './commands/inspect.js';
import { keysCommand } from './commands/keys.js';
import { loginTokenCommand } from './commands/login-token.js';
import { adminTokenCommand, patCommand } from './commands/pat.js';
import { serveCommand } from './commands/serve.js';
import { tokenCommand } from './commands/token.js';
import { userCommand } from './commands/user.js';
import { flagOf } from './common.js';

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
  .action(() => {
    throw new UsageError(
      'missing command: serve, client, user, apikey, pat, admin-token, keys, login-token or inspect (gridkey --help lists them)',
    );
  });

// Every command, at every depth: throw instead of exiting, one-line errors.
const configure = (cmd: Command): void => {
  cmd.exitOverride().configureOutput({
    outputError: (text, write) => write(`gridkey: ${text.replace(/^error: /, '')}`),
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
