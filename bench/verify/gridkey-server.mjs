// Starts the real gridkey server on a fresh data directory, with one client whose token budget
// is out of the way, and hands out tokens from it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findFreePort } from '../free-port.mjs';
import { spawnPinned, stopProcess } from '../processes.mjs';
import { onInterrupt } from '../shutdown.mjs';
import { waitUntilReady } from '../wait-ready.mjs';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../packages/server/dist/cli/main.js', import.meta.url));

async function gridkey(dataDir, args) {
  const { stdout } = await run(process.execPath, [cli, ...args, '--data-dir', dataDir, '--json'], {
    timeout: 60_000,
  });
  return JSON.parse(stdout);
}

/** gridkey serve on loopback, pinned to `cpu`; `stop()` ends it and removes its data. */
export async function startGridkey(cpu) {
  const dataDir = await mkdtemp(join(tmpdir(), 'gridkey-bench-verify-'));
  const cleanup = () => rm(dataDir, { recursive: true, force: true });
  onInterrupt(cleanup);
  const client = await gridkey(dataDir, [
    'client',
    'create',
    '--name',
    'bench-verify',
    '--scope',
    'meters:read readings:read',
    '--token-budget',
    '1000000',
  ]);
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnPinned(
    cpu,
    [cli, 'serve', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', `${port}`],
    { env: { GRIDKEY_LOG_LEVEL: 'warn' } },
  );
  await waitUntilReady(`${url}/readyz`, child);
  const basic = `Basic ${Buffer.from(
    `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`,
  ).toString('base64')}`;
  const post = (path, form) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  return {
    url,
    client,
    /** One fresh access token. */
    async token() {
      const res = await post('/oauth2/token', { grant_type: 'client_credentials' });
      if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}`);
      return (await res.json()).access_token;
    },
    /** `count` fresh tokens, `concurrency` requests at a time. */
    async tokens(count, concurrency = 32) {
      // Fill slots in order; each worker claims a slot before awaiting.
      const slots = new Array(count);
      let next = 0;
      const claim = async () => {
        while (next < count) {
          const i = next++;
          slots[i] = await this.token();
        }
      };
      await Promise.all(Array.from({ length: concurrency }, claim));
      return slots;
    },
    async revoke(token) {
      const res = await post('/oauth2/revoke', { token });
      if (res.status !== 200) throw new Error(`revocation endpoint answered ${res.status}`);
    },
    async stop() {
      await stopProcess(child);
      await cleanup();
    },
  };
}
