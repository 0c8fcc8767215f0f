// The example energy API with verification on against the same API with verification off:
// both started once on the server CPU, loaded alternately by autocannon on the other CPU.
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../free-port.mjs';
import { median, runLoad } from '../measure.mjs';
import { spawnPinned, stopProcess } from '../processes.mjs';
import { waitUntilReady } from '../wait-ready.mjs';

const exampleMain = fileURLToPath(
  new URL('../../examples/energy-api/dist/main.js', import.meta.url),
);

const API_PIPELINING = 8;

async function startExample(gridkey, verify, cpu) {
  const port = await findFreePort();
  const child = spawnPinned(cpu, [exampleMain], {
    env: {
      GRIDKEY_URL: gridkey.url,
      PORT: `${port}`,
      ENERGY_DB: ':memory:',
      ENERGY_API_VERIFY: verify ? 'on' : 'off',
      LOG_LEVEL: 'warn',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}/healthz`, child);
  return { url, child };
}

export async function compareApiLoad(gridkey, config, log) {
  const token = await gridkey.token();
  const on = await startExample(gridkey, true, config.serverCpu);
  const off = await startExample(gridkey, false, config.serverCpu);
  try {
    // Eight requests in flight per connection: with one, the load generator
    // (one core) is the bottleneck and the API sits partly idle in both modes
    // (CPU profiles: 12.5 and 16.9 µs idle a request), so the ratio measured
    // latency instead of what verification costs the API.
    const request = (base) => ({
      url: `${base}/meters`,
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
      pipelining: API_PIPELINING,
    });
    const load = { cpu: config.loadCpu, connections: config.connections };
    for (const target of [on, off]) {
      await runLoad(request(target.url), { ...load, seconds: config.warmupSeconds });
    }
    const runs = { on: [], off: [] };
    for (let run = 1; run <= config.runs; run++) {
      for (const [name, target] of [
        ['on', on],
        ['off', off],
      ]) {
        const result = await runLoad(request(target.url), { ...load, seconds: config.seconds });
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(
            `verification ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`,
          );
        }
        log(
          `run ${run}/${config.runs} verification ${name}: ${Math.round(result.requestsPerSecond)} req/s`,
        );
        runs[name].push(result.requestsPerSecond);
      }
    }
    const onRps = median(runs.on);
    const offRps = median(runs.off);
    return { onRequestsPerSecond: onRps, offRequestsPerSecond: offRps, ratio: onRps / offRps };
  } finally {
    await stopProcess(on.child);
    await stopProcess(off.child);
  }
}
