import { setImmediate as yieldToRequests } from 'node:timers/promises';
import type { Config } from '../config/schema.js';
import type { PruneCutoffs, PruneTarget, Store } from '../store/types.js';

export type PruneSettings = Pick<
  Config,
  | 'spentRefreshTokenRetentionSeconds'
  | 'auditRetentionSeconds'
  | 'usageMinuteRetentionSeconds'
  | 'usageHourRetentionSeconds'
  | 'usageDayRetentionSeconds'
  | 'pruneBatchSize'
  | 'pruneMaxBatchesPerRun'
>;

/** Rows removed by one run, per target; `complete` is false when a target hit the batch cap. */
export interface PruneRun {
  removed: Partial<Record<PruneTarget, number>>;
  complete: boolean;
}

/** What is older than the retention settings, as of `now` (unix seconds). */
export function pruneCutoffs(now: number, settings: PruneSettings): PruneCutoffs {
  return {
    now,
    spentRefreshTokensBefore: now - settings.spentRefreshTokenRetentionSeconds,
    auditBefore: now - settings.auditRetentionSeconds,
    usageBefore: {
      minute: now - settings.usageMinuteRetentionSeconds,
      hour: now - settings.usageHourRetentionSeconds,
      day: now - settings.usageDayRetentionSeconds,
    },
  };
}

/**
 * One pass over every target: batches of `pruneBatchSize` rows until a batch
 * comes back short or `pruneMaxBatchesPerRun` is reached (the rest waits for
 * the next run). Between batches the event loop serves requests, and each
 * batch is its own short statement, so pruning a backlog never stalls
 * issuance.
 */
export async function pruneOnce(
  store: Store,
  now: number,
  settings: PruneSettings,
): Promise<PruneRun> {
  const cutoffs = pruneCutoffs(now, settings);
  const run: PruneRun = { removed: {}, complete: true };
  for (const target of store.pruning.targets) {
    let total = 0;
    for (let batch = 0; ; batch++) {
      if (batch === settings.pruneMaxBatchesPerRun) {
        run.complete = false;
        break;
      }
      const n = await store.pruning.pruneBatch(target, cutoffs, settings.pruneBatchSize);
      total += n;
      if (n < settings.pruneBatchSize) break;
      await yieldToRequests();
    }
    if (total > 0) run.removed[target] = total;
  }
  return run;
}

export interface Pruner {
  /** Waits for a run in progress, then stops. */
  stop(): Promise<void>;
}

/**
 * Runs {@link pruneOnce} every `pruneIntervalSeconds`, never two at once.
 * Every node prunes; the deletes are idempotent, so nodes need not agree on
 * who does it.
 */
export function startPruner(options: {
  store: Store;
  now: () => number;
  settings: PruneSettings & Pick<Config, 'pruneIntervalSeconds'>;
  onRun: (run: PruneRun) => void;
  onError: (err: unknown) => void;
}): Pruner {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = pruneOnce(options.store, options.now(), options.settings)
      .then(options.onRun, options.onError)
      .finally(() => {
        running = undefined;
      });
  }, options.settings.pruneIntervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
