// Every target of `npm run bench`, by the name used in BENCH_TARGETS and in the report, and how
// they are benchmarked: each prepared, started pinned to the server CPU and checked (the token it
// issues), then all measured interleaved, and always stopped and cleaned up afterwards.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { OPT_IN_TARGETS, summariseRuns } from './goals.mjs';
import { gridkeyTarget } from './gridkey.mjs';
import { buildTokenRequest, checkTokenResponse, runLoad } from './load.mjs';
import {
  findFreePort,
  onInterrupt,
  spawnLogged,
  stopProcess,
  waitUntilReady,
} from './processes.mjs';

// Server stdout (gridkey logs a JSON line per request) goes to /dev/null unless asked for.
const keepStdout = process.env.BENCH_SERVER_STDOUT === 'file';

/** A peer target: one of the servers in bench/targets/, given a fresh random client. */
function peerTarget(script, { readyPath, tokenPath = '/token', env = {} }) {
  const scriptPath = fileURLToPath(new URL(`../targets/${script}`, import.meta.url));
  return {
    async prepare(port) {
      const credentials = {
        clientId: `bench-${randomBytes(8).toString('base64url')}`,
        clientSecret: randomBytes(32).toString('base64url'),
      };
      return {
        nodeArgs: [scriptPath],
        env: {
          PORT: `${port}`,
          BENCH_CLIENT_ID: credentials.clientId,
          BENCH_CLIENT_SECRET: credentials.clientSecret,
          ...env,
        },
        readyPath,
        tokenPath,
        credentials,
        details: { totalClients: 1 },
        cleanup: async () => {},
      };
    },
  };
}

export const TARGETS = {
  ceiling: peerTarget('ceiling.mjs', { readyPath: '/readyz' }),
  // Opt-in: the ceiling plus a request log line and the token metrics issue 2 asks for. No
  // goals: it shows how much of the ceiling any service observed that way keeps.
  'ceiling-observed': peerTarget('ceiling.mjs', {
    readyPath: '/readyz',
    env: { BENCH_CEILING_OBSERVED: '1' },
  }),
  'oidc-provider': peerTarget('oidc-provider.mjs', {
    readyPath: '/.well-known/openid-configuration',
  }),
  'oauth2-server': peerTarget('oauth2-server.mjs', { readyPath: '/readyz' }),
  // 1 bench client + 9 seeded = 10 clients in total.
  gridkey: gridkeyTarget({ extraClients: 9 }),
  'gridkey-100k': gridkeyTarget({ extraClients: 100_000 }),
  // The same without usage recording (issue 15): recording must cost at most 5 %.
  'gridkey-nousage': gridkeyTarget({ extraClients: 9, env: { GRIDKEY_USAGE_RECORDING: 'false' } }),
  // Opt-in (BENCH_TARGETS): the request log line off, to show what it costs. Not a goal target:
  // one line per request is part of the product.
  'gridkey-nolog': gridkeyTarget({ extraClients: 9, env: { GRIDKEY_LOG_LEVEL: 'warn' } }),
};

/** What runs without BENCH_TARGETS. */
export const DEFAULT_TARGETS = Object.keys(TARGETS).filter(
  (name) => !OPT_IN_TARGETS.includes(name),
);

/**
 * Starts a prepared target on the server CPU and waits until it answers; `stop()` ends it and
 * cleans up what `prepare` made.
 */
export async function startPrepared(name, prepared, port, config, log) {
  const forgetCleanup = onInterrupt(prepared.cleanup);
  const origin = `http://127.0.0.1:${port}`;
  let server;
  const stop = async () => {
    if (server) await stopProcess(server.child);
    await prepared.cleanup();
    forgetCleanup();
  };
  try {
    server = spawnLogged(name, config.serverCpu, prepared.nodeArgs, {
      env: prepared.env,
      keepStdout,
    });
    log(`started on ${origin} (pid ${server.child.pid}, log ${server.logPath})`);
    try {
      await waitUntilReady(`${origin}${prepared.readyPath}`, server.child);
    } catch (error) {
      throw new Error(`${error.message}; see ${server.logPath}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `${origin}${prepared.tokenPath}`, stop };
}

/**
 * Prepares and starts a target, waits until it answers and checks the token it issues; resolves
 * with the request to load it with, what to report about it, and `stop()`.
 */
async function startTarget(name, target, config, log) {
  const port = await findFreePort();
  const prepared = await target.prepare(port);
  const server = await startPrepared(name, prepared, port, config, log);
  try {
    const request = buildTokenRequest({ url: server.url, ...prepared.credentials });
    const token = await checkTokenResponse(request);
    log(`token check ok: ${JSON.stringify(token.tokenHeader)}, ${token.responseBytes} bytes`);
    return {
      request,
      details: { ...prepared.details, tokenHeader: token.tokenHeader },
      stop: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * Benchmarks the targets interleaved: all are started (each idle one costs the server CPU
 * nothing), then each run loads every target once, in an order that rotates from run to run.
 * A machine that slows down for a while (a VM's neighbours) then weighs on every target alike,
 * instead of on whichever happened to run at that moment, so ratios between targets hold across
 * runs. Resolves with each target's result, or `{ failure }` for one that could not be measured.
 */
export async function runTargets(names, config, logFor) {
  const results = {};
  const started = [];
  try {
    for (const name of names) {
      const log = logFor(name);
      try {
        started.push({
          name,
          log,
          runs: [],
          ...(await startTarget(name, TARGETS[name], config, log)),
        });
      } catch (error) {
        log(`FAILED: ${error.message}`);
        results[name] = { failure: error.message };
      }
    }
    await measureInterleaved(started, config, results);
  } finally {
    for (const target of started) await target.stop();
  }
  // In the order asked for, as the report lists them.
  return Object.fromEntries(names.map((name) => [name, results[name]]));
}

async function measureInterleaved(started, config, results) {
  const load = { cpu: config.loadCpu, connections: config.connections };
  const measured = new Set(started);
  const fail = (target, error) => {
    target.log(`FAILED: ${error.message}`);
    results[target.name] = { failure: error.message };
    measured.delete(target);
  };
  for (const target of started) {
    target.log(`warm-up ${config.warmupSeconds}s`);
    await runLoad(target.request, { ...load, seconds: config.warmupSeconds }).catch((error) =>
      fail(target, error),
    );
  }
  for (let run = 1; run <= config.runs; run += 1) {
    for (const target of rotate([...measured], run - 1)) {
      try {
        const result = await runLoad(target.request, { ...load, seconds: config.seconds });
        target.log(
          `run ${run}/${config.runs}: ${Math.round(result.requestsPerSecond)} req/s, ` +
            `p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms, non-2xx ${result.non2xx}`,
        );
        target.runs.push(result);
      } catch (error) {
        fail(target, error);
      }
    }
  }
  for (const target of measured) {
    results[target.name] = { ...summariseRuns(target.runs), runs: target.runs, ...target.details };
  }
}

/** `items` starting at position `by` (mod its length), wrapping around. */
export function rotate(items, by) {
  if (items.length === 0) return items;
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
