import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { type ServeProcess, serveProcess } from '../helpers/serve-process.js';
import { compareOutput } from './compare-output.js';
import { commandToRun, parseConsoleBlocks } from './console-blocks.js';
import { openShellSession, type ShellSession } from './shell-session.js';

// Each document's ```console examples run, in order, in one bash session
// against one real server; a changed behaviour fails here until the docs
// follow (CONTRIBUTING.md, "Examples in the docs").
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  'docs/getting-started.md',
  'docs/cli.md',
  'docs/http-api.md',
  'docs/configuration.md',
].filter((doc) => process.env.DOCS_ONLY === undefined || doc.includes(process.env.DOCS_ONLY));
const COMMAND_TIMEOUT_MS = 20_000;

for (const doc of DOCS) {
  const examples = parseConsoleBlocks(doc, await readFile(join(ROOT, doc), 'utf8'));

  describe(doc, () => {
    let dir = '';
    let server: ServeProcess;
    let shell: ShellSession;
    let url = '';
    const bindings = new Map<string, string>();

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gridkey-docs-'));
      const dataDir = join(dir, '.gridkey');
      const bin = join(dir, '.bin');
      await mkdir(bin);
      const shim = join(bin, 'gridkey');
      await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      await chmod(shim, 0o755);
      server = serveProcess(['--data-dir', dataDir]);
      url = await server.listening;
      shell = openShellSession(dir, {
        PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: dir,
        LANG: 'C.UTF-8',
        GRIDKEY_DATA_DIR: dataDir,
        // Loopback only: anything else goes to a proxy that is not there.
        http_proxy: 'http://127.0.0.1:9',
        https_proxy: 'http://127.0.0.1:9',
        all_proxy: 'http://127.0.0.1:9',
        no_proxy: '127.0.0.1,localhost',
      });
    });

    afterAll(async () => {
      shell?.close();
      await server?.stop();
      if (dir !== '') await rm(dir, { recursive: true, force: true });
    });

    it('has runnable examples', () => {
      expect(examples.length).toBeGreaterThan(0);
    });

    for (const example of examples) {
      const title = `${example.file}:${example.line} $ ${example.command.split('\n')[0]}`;
      it(title, async () => {
        const command = commandToRun(example, url, bindings);
        const { output } = await shell.run(command, COMMAND_TIMEOUT_MS);
        const result = compareOutput(example.expected, output);
        for (const [documented, real] of result.bindings) {
          if (!bindings.has(documented)) bindings.set(documented, real);
        }
        if (!result.ok) {
          const where = `${relative(ROOT, join(ROOT, example.file))}:${example.line}`;
          expect.fail(
            `${where}: the output differs from the doc (masked)\n$ ${command}\n` +
              `--- documented\n${result.expected}\n--- actual\n${result.actual}\n`,
          );
        }
      });
    }
  });
}
