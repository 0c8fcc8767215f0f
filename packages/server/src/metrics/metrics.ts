import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { GridkeyEventBus } from '../events.js';

export interface Metrics {
  readonly registry: Registry;
  /** Records one token endpoint request's latency. */
  observeTokenRequest(path: string, status: number, seconds: number): void;
}

/** One registry per server, fed by core events (so tests can run several servers). */
export function createMetrics(events: GridkeyEventBus): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gridkey_' });
  const tokens = new Counter({
    name: 'gridkey_tokens_issued_total',
    help: 'Token endpoint outcomes by grant type: issued, or the OAuth error code',
    labelNames: ['grant_type', 'outcome'] as const,
    registers: [registry],
  });
  const revoked = new Counter({
    name: 'gridkey_tokens_revoked_total',
    help: 'Tokens revoked through the revocation endpoint',
    registers: [registry],
  });
  const pruned = new Counter({
    name: 'gridkey_pruned_rows_total',
    help: 'Rows removed by the pruner, by what they were',
    labelNames: ['target'] as const,
    registers: [registry],
  });
  const tokenRequestSeconds = new Histogram({
    name: 'gridkey_token_request_duration_seconds',
    help: 'Token endpoint latency',
    labelNames: ['path', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const tokenOutcome = cachedChildren((grantType: string, outcome: string) =>
    tokens.labels({ grant_type: grantType, outcome }),
  );
  events.on('token.issued', (e) => tokenOutcome(e.grantType, 'issued').inc());
  events.on('token.request_failed', (e) => tokenOutcome(e.grantType, e.error).inc());
  events.on('token.revoked', () => revoked.inc());
  events.on('store.pruned', (run) => {
    for (const [target, n] of Object.entries(run.removed)) pruned.labels({ target }).inc(n);
  });
  const tokenRequest = cachedChildren((path: string, status: string) =>
    tokenRequestSeconds.labels({ path, status }),
  );
  const observeTokenRequest = (path: string, status: number, seconds: number) =>
    tokenRequest(path, String(status)).observe(seconds);
  return { registry, observeTokenRequest };
}

/**
 * Resolving label values on every observation showed in token endpoint
 * profiles, so each label combination's child is looked up once. The label
 * values are bounded sets (paths, statuses, grant types, error codes).
 */
function cachedChildren<T>(resolve: (a: string, b: string) => T): (a: string, b: string) => T {
  const children = new Map<string, T>();
  return (a, b) => {
    const key = `${a}\u0000${b}`;
    let child = children.get(key);
    if (child === undefined) {
      child = resolve(a, b);
      children.set(key, child);
    }
    return child;
  };
}
