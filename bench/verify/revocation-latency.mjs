// Time from a revocation's 200 at POST /oauth2/revoke until a verifier that holds the token in
// its cache refuses it, over `count` revocations, `parallel` at a time.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createVerifier } from '@gridkey/verify';

const CHECK_EVERY_MS = 5;
const GIVE_UP_MS = 10_000;

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

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
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1),
  };
}
