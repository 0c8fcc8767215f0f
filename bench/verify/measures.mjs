// What `npm run bench:verify` measures, each against a peer measured in the same run:
// - the verifier against bare jose.jwtVerify over the same tokens, in this process: distinct
//   tokens (every verification is a miss) and each token verified 100 times;
// - time from a revocation's 200 at POST /oauth2/revoke until a verifier that holds the token in
//   its cache refuses it;
// - the heap taken by a verifier whose cache holds many verified tokens (needs --expose-gc);
// - the example energy API with verification on against the same API with verification off,
//   both on the server CPU, loaded alternately by autocannon on the other CPU.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createVerifier } from '@gridkey/verify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { median, percentile } from '../lib/goals.mjs';
import { runLoad } from '../lib/load.mjs';
import { findFreePort, spawnPinned, stopProcess, waitUntilReady } from '../lib/processes.mjs';

const CHUNK = 250;
const CHECK_EVERY_MS = 5;
const GIVE_UP_MS = 10_000;
const API_PIPELINING = 8;
const exampleMain = fileURLToPath(
  new URL('../../examples/energy-api/dist/main.js', import.meta.url),
);

// ─── verify against bare jose ─────────────────────────────────────────────────────────────────

async function timeIt(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Bare jose against a local copy of the issuer's JWKS: the floor for a cold verification. */
async function bareJose(issuer) {
  const jwks = createLocalJWKSet(await (await fetch(`${issuer}/.well-known/jwks.json`)).json());
  const options = { issuer, typ: 'at+jwt', algorithms: ['ES256'], requiredClaims: ['exp', 'jti'] };
  return (token) => jwtVerify(token, jwks, options);
}

async function freshVerifier(issuer) {
  const verifier = createVerifier({ issuer, cache: { maxEntries: 200_000 } });
  await verifier.ready();
  return verifier;
}

/**
 * Runs `rounds` rounds over the same tokens; within a round jose and the
 * verifier take turns chunk by chunk (who goes first alternates), so that a
 * machine that speeds up or slows down affects both alike. A fresh verifier
 * per round keeps the distinct case free of cache hits.
 */
export async function compareVerification(gridkey, { tokens, repeats, rounds = 3 }) {
  const jose = await bareJose(gridkey.url);
  const ratios = [];
  const joseMs = [];
  const verifyMs = [];
  // Round 0 warms both up (JIT, key import) and is not counted.
  for (let round = 0; round <= rounds; round++) {
    const verifier = await freshVerifier(gridkey.url);
    let joseTotal = 0;
    let verifyTotal = 0;
    try {
      for (let start = 0, turn = 0; start < tokens.length; start += CHUNK, turn++) {
        const chunk = tokens.slice(start, start + CHUNK);
        const runJose = async () => {
          joseTotal += await timeIt(async () => {
            for (let r = 0; r < repeats; r++) for (const t of chunk) await jose(t);
          });
        };
        const runVerify = async () => {
          verifyTotal += await timeIt(async () => {
            for (let r = 0; r < repeats; r++) for (const t of chunk) await verifier.verify(t);
          });
        };
        if (turn % 2 === 0) {
          await runJose();
          await runVerify();
        } else {
          await runVerify();
          await runJose();
        }
      }
    } finally {
      await verifier.close();
    }
    if (round === 0) continue;
    ratios.push(joseTotal / verifyTotal);
    joseMs.push(joseTotal);
    verifyMs.push(verifyTotal);
  }
  const verifications = tokens.length * repeats;
  const perSecond = (ms) => (verifications / ms) * 1000;
  return {
    verifications,
    joseOpsPerSecond: perSecond(median(joseMs)),
    verifyOpsPerSecond: perSecond(median(verifyMs)),
    ratio: median(ratios),
  };
}

// ─── revocation to refusal ────────────────────────────────────────────────────────────────────

async function refusedAfter(verifier, token, revokedAt) {
  for (;;) {
    try {
      await verifier.verify(token);
    } catch (err) {
      if (err.code === 'revoked') return performance.now() - revokedAt;
      throw err;
    }
    if (performance.now() - revokedAt > GIVE_UP_MS) throw new Error('never refused');
    await sleep(CHECK_EVERY_MS);
  }
}

export async function revocationLatency(gridkey, { count = 100, parallel = 10 } = {}) {
  const verifier = createVerifier({ issuer: gridkey.url });
  await verifier.ready();
  const latencies = [];
  try {
    for (let done = 0; done < count; done += parallel) {
      const batch = await gridkey.tokens(Math.min(parallel, count - done), parallel);
      // Cached first: the case the cache must not make slower to refuse.
      for (const token of batch) await verifier.verify(token);
      latencies.push(
        ...(await Promise.all(
          batch.map(async (token) => {
            await gridkey.revoke(token);
            return refusedAfter(verifier, token, performance.now());
          }),
        )),
      );
    }
  } finally {
    await verifier.close();
  }
  const sorted = latencies.sort((a, b) => a - b);
  return {
    revocations: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1),
  };
}

// ─── cache memory ─────────────────────────────────────────────────────────────────────────────

async function settledHeap() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

export async function cacheMemory(gridkey, tokens) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  const verifier = createVerifier({
    issuer: gridkey.url,
    cache: { maxEntries: tokens.length },
  });
  await verifier.ready();
  // The tokens themselves are held by the caller before and after: only the cache differs.
  const before = await settledHeap();
  for (const token of tokens) await verifier.verify(token);
  const after = await settledHeap();
  const entries = verifier.health().cache.entries;
  await verifier.close();
  return { entries, bytes: after - before, bytesPerEntry: (after - before) / entries };
}

// ─── the example API, verification on and off ─────────────────────────────────────────────────

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

/** The legs of API run `run` (from 1): on, off, off, on; then off, on, on, off; and so on. */
export function mirroredOrder(run) {
  return run % 2 === 1 ? ['on', 'off', 'off', 'on'] : ['off', 'on', 'on', 'off'];
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
    // Each run loads the two APIs in mirrored order, half of it each time
    // (on, off, off, on; the next run off, on, on, off): this VM's speed
    // drifts by several per cent within a minute, and a mirrored run puts
    // that drift on both sides alike instead of on whichever went second.
    const legSeconds = config.seconds / 2;
    const runs = { on: [], off: [], ratios: [] };
    for (let run = 1; run <= config.runs; run++) {
      const order = mirroredOrder(run);
      const legs = { on: [], off: [] };
      for (const name of order) {
        const target = name === 'on' ? on : off;
        const result = await runLoad(request(target.url), { ...load, seconds: legSeconds });
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(
            `verification ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`,
          );
        }
        legs[name].push(result.requestsPerSecond);
      }
      const onRps = (legs.on[0] + legs.on[1]) / 2;
      const offRps = (legs.off[0] + legs.off[1]) / 2;
      log(
        `run ${run}/${config.runs} (${order.join(', ')}): verification on ${Math.round(onRps)} req/s, off ${Math.round(offRps)} req/s`,
      );
      runs.on.push(onRps);
      runs.off.push(offRps);
      runs.ratios.push(onRps / offRps);
    }
    return {
      onRequestsPerSecond: median(runs.on),
      offRequestsPerSecond: median(runs.off),
      ratio: median(runs.ratios),
    };
  } finally {
    await stopProcess(on.child);
    await stopProcess(off.child);
  }
}
