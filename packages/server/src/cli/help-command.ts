import { Command } from 'commander';
import { closestName } from './closest-name.js';

/**
 * `help [command...]` under a command group: the help page of the command
 * the path names (`gridkey help client create`), on stdout, exit 0.
 * Commander's own help command stops at one name and is off where a group
 * answers a bare call itself, so each group gets this one.
 */
export function helpCommand(group: Command): Command {
  return new Command('help')
    .argument('[command...]', 'the command, and its subcommand')
    .description('display help for a command')
    .action((path: string[]) => {
      let target = group;
      for (const name of path) {
        const next = target.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (next === undefined) unknownCommand(target, name);
        target = next;
      }
      target.help();
    });
}

function unknownCommand(group: Command, name: string): never {
  const names = group.commands.map((c) => c.name()).filter((n) => n !== 'help');
  const guess = closestName(name, names);
  return group.error(
    `unknown command '${name}'${guess === undefined ? '' : ` (did you mean ${guess}?)`}`,
    { code: 'commander.unknownCommand' },
  );
}
