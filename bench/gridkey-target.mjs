// The gridkey targets: the real server from packages/server, started through its CLI on a fresh
// data directory that holds the bench client plus seeded clients.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seedClients } from './seed-clients.mjs';
import { onInterrupt } from './shutdown.mjs';

const run = promisify(execFile);
/** Runs one gridkey CLI command (with `input` on stdin, if given) and returns its stdout. */
export function runGridkeyCli(args, { input } = {}) {
  const child = run(process.execPath, [cliPath, ...args], { timeout: 60_000 });
  if (input !== undefined) child.child.stdin.end(input);
  return child.then(({ stdout }) => stdout);
}
// BENCH_GRIDKEY_CLI points at another build of the CLI, e.g. to compare two versions.
const cliPath =
  process.env.BENCH_GRIDKEY_CLI ??
  fileURLToPath(new URL('../packages/server/dist/cli/main.js', import.meta.url));

// `client create --json` prints one JSON object; tolerate log lines around it.
export function parseCreatedClient(stdout) {
  const candidates = [stdout, ...stdout.split('\n').reverse()];
  for (const text of candidates) {
    try {
      const parsed = JSON.parse(text);
      if (parsed?.client_id && parsed?.client_secret) return parsed;
    } catch {
      // Not this one.
    }
  }
  throw new Error(`could not find client_id/client_secret in: ${stdout.slice(0, 300)}`);
}

async function createBenchClient(dataDir) {
  const { stdout } = await run(
    process.execPath,
    // The load is far beyond the default budget of 60 tokens a minute per client.
    [
      cliPath,
      'client',
      'create',
      '--name',
      'bench',
      '--token-budget',
      '1000000',
      '--data-dir',
      dataDir,
      '--json',
    ],
    { timeout: 60_000 },
  );
  return parseCreatedClient(stdout);
}

export function gridkeyTarget({ extraClients, env = {} }) {
  return {
    async prepare(port) {
      if (!existsSync(cliPath)) {
        throw new Error(`${cliPath} not found; build the server first (npm run build)`);
      }
      const dataDir = await mkdtemp(join(tmpdir(), 'gridkey-bench-'));
      const cleanup = () => rm(dataDir, { recursive: true, force: true });
      // Registered now so Ctrl-C during setup also removes the directory; run-target.mjs
      // unregisters the same function once it has cleaned up.
      const forgetCleanup = onInterrupt(cleanup);
      try {
        const client = await createBenchClient(dataDir);
        const totalClients = seedClients(join(dataDir, 'gridkey.db'), extraClients);
        return {
          nodeArgs: [
            cliPath,
            'serve',
            '--data-dir',
            dataDir,
            '--host',
            '127.0.0.1',
            '--port',
            `${port}`,
          ],
          env,
          readyPath: '/readyz',
          tokenPath: '/oauth2/token',
          credentials: { clientId: client.client_id, clientSecret: client.client_secret },
          details: { totalClients },
          dataDir,
          cleanup,
        };
      } catch (error) {
        await cleanup();
        forgetCleanup();
        throw error;
      }
    },
  };
}
