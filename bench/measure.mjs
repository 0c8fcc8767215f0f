// Measures one running target: a warm-up load, then `runs` timed loads, each in a fresh
// load-generator process pinned to its CPU. Reports the median of each figure across runs.
import { fileURLToPath } from 'node:url';
import { describeExit, spawnPinned, stopProcess, waitForExit } from './processes.mjs';

const loadRunnerPath = fileURLToPath(new URL('./load-runner.mjs', import.meta.url));
// Slack on top of the load duration before the harness gives up on a load run.
const LOAD_WATCHDOG_SLACK_MS = 30_000;

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function runLoad(request, { cpu, connections, seconds }) {
  const child = spawnPinned(cpu, [loadRunnerPath], {
    env: { BENCH_LOAD_OPTIONS: JSON.stringify({ ...request, connections, seconds }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const watchdog = setTimeout(() => stopProcess(child), seconds * 1000 + LOAD_WATCHDOG_SLACK_MS);
  try {
    await waitForExit(child);
  } finally {
    clearTimeout(watchdog);
  }
  if (child.exitCode !== 0) {
    throw new Error(`load run failed (${describeExit(child)}): ${stderr.trim()}`);
  }
  return JSON.parse(stdout);
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
