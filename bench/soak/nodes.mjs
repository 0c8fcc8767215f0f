// The gridkey side of the soak: the fixtures (clients, users, login tokens) made through the
// CLI against the shared PostgreSQL database, and the `gridkey serve` nodes.
import { randomUUID } from 'node:crypto';
import { checkBuilt, gridkeyCli, serveArgs } from '../lib/gridkey.mjs';
import { findFreePort, spawnLogged, waitUntilReady } from '../lib/processes.mjs';

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
  checkBuilt();
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const { child, logPath } = spawnLogged(
    `soak-${name}`,
    cpu,
    serveArgs({
      dataDir,
      port,
      flags: ['--issuer', issuer, '--profile', 'net2grid', '--profile', 'enectiva', ...flags],
    }),
    { env },
  );
  try {
    await waitUntilReady(`${url}/readyz`, child);
  } catch (error) {
    throw new Error(`node ${name}: ${error.message}; see ${logPath}`);
  }
  return { name, url, pid: child.pid, child, logPath };
}
