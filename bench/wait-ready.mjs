// Polls a server's readiness URL until it answers 200, the process dies, or time runs out.
import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit, hasExited } from './processes.mjs';

const POLL_INTERVAL_MS = 100;

export async function waitUntilReady(url, child, { timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      throw new Error(`server exited before it was ready (${describeExit(child)})`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`server not ready at ${url} after ${timeoutMs} ms`);
}
