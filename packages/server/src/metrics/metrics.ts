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
  const tokenRequestSeconds = new Histogram({
    name: 'gridkey_token_request_duration_seconds',
    help: 'Token endpoint latency',
    labelNames: ['path', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  events.on('token.issued', (e) => tokens.inc({ grant_type: e.grantType, outcome: 'issued' }));
  events.on('token.request_failed', (e) =>
    tokens.inc({ grant_type: e.grantType, outcome: e.error }),
  );
  events.on('token.revoked', () => revoked.inc());
  // Label children are cached: resolving labels per observation showed in profiles.
  const children = new Map<string, ReturnType<typeof tokenRequestSeconds.labels>>();
  const observeTokenRequest = (path: string, status: number, seconds: number) => {
    const key = `${path} ${status}`;
    let child = children.get(key);
    if (child === undefined) {
      child = tokenRequestSeconds.labels({ path, status: String(status) });
      children.set(key, child);
    }
    child.observe(seconds);
  };
  return { registry, observeTokenRequest };
}
