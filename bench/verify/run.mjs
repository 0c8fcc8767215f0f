// Entry point of `npm run bench:verify`: the verifier against bare jose, the example API with
// and without verification, revocation-to-refusal latency and the cache's memory, in one run
// on loopback with a real gridkey server issuing the tokens. Exits 1 when a goal printed as ✗ is
// missed. See bench/README.md.
import { BUILT_GRIDKEY_CLI, machine, readConfig, writeResults } from '../lib/config.mjs';
import { evaluateVerifyGoals, formatVerifyGoals } from '../lib/goals.mjs';
import { gridkeyCli, serveArgs, tempDataDir } from '../lib/gridkey.mjs';
import {
  findFreePort,
  installShutdownHandlers,
  spawnPinned,
  stopAllProcesses,
  stopProcess,
  waitUntilReady,
} from '../lib/processes.mjs';
import {
  cacheMemory,
  compareApiLoad,
  compareVerification,
  revocationLatency,
} from './measures.mjs';

const MB = 1024 * 1024;
// 6,000, not 2,000: a round then lasts about 1.5 s, long enough that this VM's
// jitter no longer swings a round's ratio by ±0.05 (measured: five comparisons
// spread 0.889-0.980 with 2,000 tokens, 0.893-0.931 with 6,000, same median).
const DISTINCT_TOKENS = 6000;
const REPEATED_TOKENS = 200;
const CACHED_TOKENS = 100_000;

/**
 * gridkey serve (the build in packages/server/dist) on loopback, pinned to `cpu`, with one client
 * whose token budget is out of the way; hands out tokens, revokes them, and `stop()` ends it and
 * removes its data.
 */
async function startGridkey(cpu) {
  const cli = BUILT_GRIDKEY_CLI;
  const { dataDir, cleanup } = await tempDataDir('gridkey-bench-verify-');
  const client = await gridkeyCli(
    [
      'client',
      'create',
      '--name',
      'bench-verify',
      '--scope',
      'meters:read readings:read',
      '--token-budget',
      '1000000',
    ],
    { dataDir, cli },
  );
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnPinned(cpu, serveArgs({ dataDir, port, cli }), {
    env: { GRIDKEY_LOG_LEVEL: 'warn' },
  });
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

async function main() {
  installShutdownHandlers();
  const config = readConfig([], []);
  const log = (message) => console.log(`[bench:verify] ${message}`);
  const gridkey = await startGridkey(config.loadCpu);
  try {
    log(`gridkey on ${gridkey.url}; fetching tokens`);
    const distinctTokens = await gridkey.tokens(DISTINCT_TOKENS);
    const distinct = await compareVerification(gridkey, {
      tokens: distinctTokens,
      repeats: 1,
      rounds: config.runs,
    });
    log(
      `distinct: verify ${Math.round(distinct.verifyOpsPerSecond)}/s, jose ${Math.round(distinct.joseOpsPerSecond)}/s`,
    );
    const repeated = await compareVerification(gridkey, {
      tokens: distinctTokens.slice(0, REPEATED_TOKENS),
      repeats: 100,
      rounds: config.runs,
    });
    log(
      `100×: verify ${Math.round(repeated.verifyOpsPerSecond)}/s, jose ${Math.round(repeated.joseOpsPerSecond)}/s`,
    );
    const revocation = await revocationLatency(gridkey, { count: 100, parallel: 10 });
    log(
      `revocation to refusal: p50 ${revocation.p50Ms.toFixed(0)} ms, p99 ${revocation.p99Ms.toFixed(0)} ms`,
    );
    const cachedTokens = await gridkey.tokens(CACHED_TOKENS, 64);
    const memory = await cacheMemory(gridkey, cachedTokens);
    log(`cache: ${memory.entries} entries, ${(memory.bytes / MB).toFixed(1)} MB`);
    const api = await compareApiLoad(gridkey, config, log);
    const results = { distinct, repeated, revocation, memory, api };
    const goals = evaluateVerifyGoals(results);
    console.log(`\n${formatVerifyGoals(goals)}\n`);
    const path = writeResults('verify-latest.json', {
      date: new Date().toISOString(),
      ...machine(),
      config,
      results,
    });
    console.log(`results written to ${path}`);
    const missed = goals.filter((goal) => !goal.pass);
    if (missed.length > 0) {
      console.log(`${missed.length} goal(s) missed: exit code 1`);
      process.exitCode = 1;
    }
  } finally {
    await gridkey.stop();
    await stopAllProcesses();
  }
}

main().catch(async (err) => {
  console.error(`bench:verify failed: ${err.stack ?? err}`);
  await stopAllProcesses();
  process.exit(1);
});
