// Measures one running target: a warm-up load, then `runs` timed loads, each in a fresh
// load-generator process pinned to its CPU. Reports the median of each figure across runs.
import { fileURLToPath } from 'node:url';
import { jsonResultOf, spawnPinned } from './processes.mjs';

const loadRunnerPath = fileURLToPath(new URL('./load-runner.mjs', import.meta.url));
// Slack on top of the load duration before the harness gives up on a load run.
const LOAD_WATCHDOG_SLACK_MS = 30_000;

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function runLoad(request, { cpu, connections, seconds }) {
  const child = spawnPinned(cpu, [loadRunnerPath], {
    env: { BENCH_LOAD_OPTIONS: JSON.stringify({ ...request, connections, seconds }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return jsonResultOf(child, 'load run', seconds * 1000 + LOAD_WATCHDOG_SLACK_MS);
}

export async function measureTarget(request, config, log) {
  const load = { cpu: config.loadCpu, connections: config.connections };
  log(`warm-up ${config.warmupSeconds}s`);
  await runLoad(request, { ...load, seconds: config.warmupSeconds });

  const runs = [];
  for (let run = 1; run <= config.runs; run += 1) {
    const result = await runLoad(request, { ...load, seconds: config.seconds });
    log(
      `run ${run}/${config.runs}: ${Math.round(result.requestsPerSecond)} req/s, ` +
        `p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms, non-2xx ${result.non2xx}`,
    );
    runs.push(result);
  }

  const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
  return {
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    latencyP50Ms: median(runs.map((run) => run.latencyP50Ms)),
    latencyP99Ms: median(runs.map((run) => run.latencyP99Ms)),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    runs,
  };
}
