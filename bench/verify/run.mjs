// Entry point of `npm run bench:verify`: the verifier against bare jose, the example API with
// and without verification, revocation-to-refusal latency and the cache's memory, in one run
// on loopback. See bench/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readConfig } from '../config.mjs';
import { stopAllProcesses } from '../processes.mjs';
import { installShutdownHandlers } from '../shutdown.mjs';
import { compareApiLoad } from './api-load.mjs';
import { cacheMemory } from './cache-memory.mjs';
import { startGridkey } from './gridkey-server.mjs';
import { compareVerification } from './micro.mjs';
import { revocationLatency } from './revocation-latency.mjs';

const resultsPath = fileURLToPath(new URL('../results/verify-latest.json', import.meta.url));
const MB = 1024 * 1024;
const DISTINCT_TOKENS = 2000;
const REPEATED_TOKENS = 200;
const CACHED_TOKENS = 100_000;

const GOALS = [
  ['distinct tokens: verify / bare jose', (r) => r.distinct.ratio, (v) => v >= 0.9, '≥ 0.9×'],
  ['each token 100×: verify / bare jose', (r) => r.repeated.ratio, (v) => v >= 10, '≥ 10×'],
  ['example API: verification on / off', (r) => r.api.ratio, (v) => v >= 0.8, '≥ 0.8×'],
  ['revocation to refusal p99', (r) => r.revocation.p99Ms, (v) => v <= 2000, '≤ 2000 ms'],
  ['cache of 100,000 tokens', (r) => r.memory.bytes / MB, (v) => v <= 64, '≤ 64 MB'],
];

function table(results) {
  const rows = GOALS.map(([name, pick, ok, goal]) => {
    const value = pick(results);
    return `| ${name} | ${goal} | ${value.toFixed(2)} | ${ok(value) ? '✓' : '✗'} |`;
  });
  return ['| figure | goal | measured | |', '| --- | --- | --- | --- |', ...rows].join('\n');
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
    console.log(`\n${table(results)}\n`);
    mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
    writeFileSync(
      resultsPath,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().map((c) => c.model), config, results }, null, 2)}\n`,
    );
    console.log(`results written to ${resultsPath}`);
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
