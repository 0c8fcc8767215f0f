import type { GridkeyEventBus, GridkeyEvents } from '../events.js';
import type { Clock } from '../lib/clock.js';
import type { UsageStore } from '../store/types.js';
import { UsageTally } from './usage-tally.js';

/** The metric of a token request refused with this OAuth `error` code. */
export const refusedMetric = (error: string): string => `refused.${error}`;

export const TOKENS_ISSUED = 'tokens_issued';
export const USES = 'uses';

/** A running usage recorder: `flush` writes now; `stop` ends the timer and writes what is left. */
export interface UsageRecording {
  readonly tally: UsageTally;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Counts what the core reports (events.ts) per credential, off the request
 * path's I/O: each event is one in-memory increment, and a timer writes the
 * counts every `flushIntervalMs`. The timer is unref'd (it never keeps a
 * process alive); `stop` is the final flush, for when the server closes.
 *
 * A refused token request is counted for its client only once the client is
 * known: after authentication (`token.request_failed` with a clientId), or a
 * registered client that failed it (`client.authentication_failed`, as
 * `refused.invalid_client`). An unknown client_id is never a key here, so
 * guessing ids cannot grow the counts.
 *
 * @example
 * const usage = recordUsage({ events: gk.events, store: gk.store.usage, clock: gk.clock,
 *   flushIntervalMs: 10_000, onFlushError: (err) => logger.warn({ err }, 'usage flush failed') });
 * await usage.stop();
 */
export function recordUsage(deps: {
  events: GridkeyEventBus;
  store: Pick<UsageStore, 'add'>;
  clock: Clock;
  flushIntervalMs: number;
  onFlushError: (err: unknown) => void;
}): UsageRecording {
  const tally = new UsageTally(deps);
  const onIssued = (e: GridkeyEvents['token.issued'][0]) =>
    tally.count('client', e.clientId, TOKENS_ISSUED);
  const onRefused = (e: GridkeyEvents['token.request_failed'][0]) => {
    if (e.clientId !== undefined) tally.count('client', e.clientId, refusedMetric(e.error));
  };
  const onAuthFailed = (e: GridkeyEvents['client.authentication_failed'][0]) =>
    tally.count('client', e.clientId, refusedMetric('invalid_client'));
  const onUsed = (e: GridkeyEvents['credential.used'][0]) => tally.count(e.kind, e.id, USES);
  deps.events
    .on('token.issued', onIssued)
    .on('token.request_failed', onRefused)
    .on('client.authentication_failed', onAuthFailed)
    .on('credential.used', onUsed);
  const timer = setInterval(() => void tally.flush(), deps.flushIntervalMs);
  timer.unref();
  return {
    tally,
    flush: () => tally.flush(),
    async stop() {
      clearInterval(timer);
      deps.events
        .off('token.issued', onIssued)
        .off('token.request_failed', onRefused)
        .off('client.authentication_failed', onAuthFailed)
        .off('credential.used', onUsed);
      await tally.flush();
    },
  };
}
