// The gridkey side of the soak: the fixtures (clients, users, login tokens) made through the
// CLI against the shared PostgreSQL database, and the `gridkey serve` nodes.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../free-port.mjs';
import { collectOutput, spawnPinned } from '../processes.mjs';
import { waitUntilReady } from '../wait-ready.mjs';

export const cliPath =
  process.env.BENCH_GRIDKEY_CLI ??
  fileURLToPath(new URL('../../packages/server/dist/cli/main.js', import.meta.url));
const logDir = fileURLToPath(new URL('../results/logs/', import.meta.url));

// Runs one CLI command with --json and returns its parsed output.
export function gridkeyCli(args, { env, dataDir, input }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args, '--data-dir', dataDir, '--json'], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = collectOutput(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`gridkey ${args.slice(0, 2).join(' ')} failed: ${out.stderr.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(out.stdout));
      } catch {
        reject(new Error(`gridkey ${args.slice(0, 2).join(' ')} printed no JSON: ${out.stdout}`));
      }
    });
    child.stdin.end(input ?? '');
  });
}

async function inBatches(count, batchSize, make) {
  const results = [];
  for (let start = 0; start < count; start += batchSize) {
    const batch = [];
    for (let index = start; index < Math.min(count, start + batchSize); index += 1) {
      batch.push(make(index));
    }
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

/**
 * The soak's clients, users and login tokens. The first command runs alone: it creates the
 * schema. `accessTokenTtl` goes to the two token-issuing clients so that their tokens (and the
 * revocations of them) expire within the soak and become prunable.
 */
export async function createFixtures({ env, dataDir, users, loginTokens, accessTokenTtl }) {
  const cli = (args, input) => gridkeyCli(args, { env, dataDir, input });
  const ttl = ['--ttl', `${accessTokenTtl}`];
  const machine = await cli([
    'client',
    'create',
    '--name',
    'soak-machine',
    '--grants',
    'client_credentials',
    '--token-budget',
    '1000000',
    ...ttl,
  ]);
  const [app, resourceServer] = await Promise.all([
    cli([
      'client',
      'create',
      '--name',
      'soak-app',
      '--grants',
      'password refresh_token',
      '--auth',
      'client_secret_post',
      ...ttl,
    ]),
    cli(['client', 'create', '--name', 'soak-resource-server', '--resource-server']),
  ]);
  const userList = await inBatches(users, 4, async (index) => {
    const email = `soak-user-${index}@example.com`;
    const password = `soak password ${index} ${randomUUID()}`;
    await cli(['user', 'create', '--email', email, '--password-stdin'], `${password}\n`);
    return { email, password };
  });
  const loginTokenList = await inBatches(loginTokens, 4, async () => {
    const created = await cli([
      'login-token',
      'create',
      '--customer',
      randomUUID(),
      '--scope',
      'entity_consumptions',
    ]);
    return { customer: created.customer_uuid, token: created.login_token };
  });
  return {
    clients: { machine, app, resourceServer },
    users: userList,
    loginTokens: loginTokenList,
  };
}

/**
 * Starts one `gridkey serve` node on a free loopback port. Its stdout (a JSON log line per
 * request) goes to /dev/null, its stderr to bench/results/logs/soak-<name>.log.
 */
export async function startNode(name, { env, dataDir, issuer, flags, cpu }) {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} not found; build the server first (npm run build)`);
  }
  mkdirSync(logDir, { recursive: true });
  const logPath = `${logDir}soak-${name}.log`;
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const logFd = openSync(logPath, 'w');
  let child;
  try {
    child = spawnPinned(
      cpu,
      [
        cliPath,
        'serve',
        '--data-dir',
        dataDir,
        '--host',
        '127.0.0.1',
        '--port',
        `${port}`,
        '--issuer',
        issuer,
        '--profile',
        'net2grid',
        '--profile',
        'enectiva',
        ...flags,
      ],
      { env, stdio: ['ignore', 'ignore', logFd] },
    );
  } finally {
    closeSync(logFd);
  }
  try {
    await waitUntilReady(`${url}/readyz`, child);
  } catch (error) {
    throw new Error(`node ${name}: ${error.message}; see ${logPath}`);
  }
  return { name, url, pid: child.pid, child, logPath };
}
