/**
 * The runnable examples of a Markdown document: every fenced block tagged
 * `console`. In one, a line starting with `$ ` is a command (continued on
 * the next line while it ends with `\`), and the lines after it, up to the
 * next command or the end of the block, are its expected output (stdout and
 * stderr together). Every other block is illustrative and not run.
 */
export interface ConsoleExample {
  /** The document, as given to {@link parseConsoleBlocks}. */
  file: string;
  /** 1-based line of the `$ ` in the document. */
  line: number;
  /** The command without its prompt, continuation lines joined by newlines. */
  command: string;
  /** The expected output, trailing blank lines removed. */
  expected: string;
}

const FENCE = /^(`{3,}|~{3,})\s*([^\s`]*)/;

/** Splits a document's ```console blocks into commands and their expected output. */
export function parseConsoleBlocks(file: string, markdown: string): ConsoleExample[] {
  const lines = markdown.split('\n');
  const examples: ConsoleExample[] = [];
  let fence: string | null = null;
  let runnable = false;
  let current: { line: number; command: string[]; output: string[]; open: boolean } | null = null;
  const finish = () => {
    if (current === null) return;
    examples.push({
      file,
      line: current.line,
      command: current.command.join('\n'),
      expected: trimBlankEnd(current.output).join('\n'),
    });
    current = null;
  };
  lines.forEach((text, index) => {
    if (fence === null) {
      const open = FENCE.exec(text);
      if (open) {
        fence = open[1] ?? '```';
        runnable = open[2] === 'console';
      }
      return;
    }
    if (text.trimEnd() === fence) {
      finish();
      fence = null;
      return;
    }
    if (!runnable) return;
    if (current?.open) {
      current.command.push(text);
      current.open = text.endsWith('\\');
    } else if (text.startsWith('$ ')) {
      finish();
      const command = text.slice(2);
      current = { line: index + 1, command: [command], output: [], open: command.endsWith('\\') };
    } else if (current !== null) {
      current.output.push(text);
    } else if (text.trim() !== '') {
      throw new TypeError(`${file}:${index + 1}: a console block must start with "$ "`);
    }
  });
  if (fence !== null) throw new TypeError(`${file}: unclosed code block`);
  return examples;
}

/** What a command runs as: the docs' `npx gridkey` and server URL made this run's. */
export function commandToRun(example: ConsoleExample, url: string, bindings: Map<string, string>) {
  let command = example.command
    .replace(/\bnpx gridkey\b/g, 'gridkey')
    .replace(/http:\/\/(?:127\.0\.0\.1|localhost):\d+/g, url);
  const documented = [...bindings.keys()].sort((a, b) => b.length - a.length);
  for (const value of documented) command = command.split(value).join(bindings.get(value) ?? value);
  return command;
}

function trimBlankEnd(lines: string[]): string[] {
  const out = lines.map((l) => l.trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
