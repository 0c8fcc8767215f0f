// What runs while the soak lasts: the paced (open-loop) load and the sampler.
//
// Each operation is started at its own fixed rate, on a schedule that does not wait for answers,
// alternating between the nodes. A slow server therefore shows as latency and, past
// MAX_IN_FLIGHT requests of one operation, as "overload" skips, never as a quietly lower rate.
//
// The sampler records what a leak or unbounded growth would show: each process's resident memory
// (VmRSS in /proc/PID/status) and open file descriptors (entries of /proc/PID/fd), and the
// database size (pg_database_size), every few seconds.
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { OPERATIONS } from './operations.mjs';

const TICK_MS = 5;
const MAX_IN_FLIGHT = 64;

export function createStats(rates) {
  return Object.fromEntries(
    Object.keys(rates).map((name) => [
      name,
      {
        requests: 0,
        ok: 0,
        statuses: {},
        transportErrors: {},
        skipped: 0,
        overload: 0,
        harnessErrors: 0,
        latenciesMs: [],
        // The first body of each unexpected status, to tell why without a server log.
        errorSamples: {},
      },
    ]),
  );
}

function record(stats, outcome) {
  if (outcome === undefined) {
    stats.skipped += 1;
    return;
  }
  stats.requests += 1;
  stats.latenciesMs.push(outcome.ms);
  if (outcome.error) {
    stats.transportErrors[outcome.error] = (stats.transportErrors[outcome.error] ?? 0) + 1;
    return;
  }
  stats.statuses[outcome.status] = (stats.statuses[outcome.status] ?? 0) + 1;
  if (outcome.status === outcome.expect) stats.ok += 1;
  else stats.errorSamples[outcome.status] ??= outcome.body?.slice(0, 300);
}

export function totalRequests(stats) {
  return Object.values(stats).reduce((sum, op) => sum + op.requests, 0);
}

/**
 * Runs every operation at rates[name] per second for `seconds`, then waits for the requests in
 * flight. `log` gets harness errors (a bug in an operation, not a server answer).
 */
export async function runLoad({ rates, seconds, nodes, state, stats, log }) {
  const started = performance.now();
  const end = started + seconds * 1000;
  const schedules = Object.entries(rates)
    .filter(([, rate]) => rate > 0)
    .map(([name, rate]) => {
      const interval = 1000 / rate;
      // A random phase, so the operations do not all fire on the same tick.
      return { name, interval, next: started + Math.random() * interval, inFlight: 0, sent: 0 };
    });
  const pending = new Set();
  const dispatch = (schedule) => {
    const opStats = stats[schedule.name];
    if (schedule.inFlight >= MAX_IN_FLIGHT) {
      opStats.overload += 1;
      return;
    }
    const node = nodes[schedule.sent % nodes.length];
    schedule.sent += 1;
    schedule.inFlight += 1;
    const work = Promise.resolve()
      .then(() => OPERATIONS[schedule.name].run(state, node))
      .then(
        (outcome) => record(opStats, outcome),
        (error) => {
          opStats.harnessErrors += 1;
          log(`${schedule.name}: harness error: ${error.stack ?? error}`);
        },
      )
      .finally(() => {
        schedule.inFlight -= 1;
        pending.delete(work);
      });
    pending.add(work);
  };
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      for (const schedule of schedules) {
        while (schedule.next <= now && schedule.next < end) {
          schedule.next += schedule.interval;
          dispatch(schedule);
        }
      }
      if (now >= end) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  await Promise.allSettled([...pending]);
}

async function readProcess(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    const fds = (await readdir(`/proc/${pid}/fd`)).length;
    return { rssBytes: rssKb * 1024, fds };
  } catch {
    // The process is gone: the sample says so instead of failing the run.
    return { rssBytes: null, fds: null };
  }
}

/**
 * Takes one sample: `processes` maps a name to a pid (the nodes, redis-server), `database`
 * comes from connectDatabase, `requests()` is the running total of requests sent.
 */
async function takeSample({ startedAt, processes, database, requests }) {
  const entries = await Promise.all(
    Object.entries(processes).map(async ([name, pid]) => [name, await readProcess(pid)]),
  );
  let databaseBytes = null;
  try {
    databaseBytes = await database.bytes();
  } catch {
    // PostgreSQL went away; the missing figure shows in the table.
  }
  return {
    t: Math.round((Date.now() - startedAt) / 1000),
    processes: Object.fromEntries(entries),
    databaseBytes,
    requests: requests(),
  };
}

/** Samples every `seconds` until stop() (which takes one last sample and returns them all). */
export function startSampling(options, seconds, onSample = () => {}) {
  const samples = [];
  let running = Promise.resolve();
  const sampleNow = (final = false) => {
    running = running.then(async () => {
      const sample = await takeSample(options);
      // The last periodic sample may already be the final one.
      if (final && sample.t - (samples.at(-1)?.t ?? -Infinity) < 2) return;
      samples.push(sample);
      onSample(sample);
    });
    return running;
  };
  const first = sampleNow();
  const timer = setInterval(() => sampleNow(), seconds * 1000);
  return {
    first,
    async stop() {
      clearInterval(timer);
      await sampleNow(true);
      return samples;
    },
  };
}
