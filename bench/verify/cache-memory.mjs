// Heap taken by a verifier whose cache holds `count` verified tokens. Run with --expose-gc.
import { createVerifier } from '@gridkey/verify';

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
