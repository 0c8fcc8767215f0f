import { EventEmitter } from 'node:events';
import type { PruneRun } from './maintenance/pruner.js';

/** What the core reports; the HTTP edge turns these into logs and metrics. */
export interface GridkeyEvents {
  'token.issued': [{ grantType: string; clientId: string; jti: string; kind: 'access_token' }];
  'token.request_failed': [{ grantType: string; clientId?: string; error: string }];
  'token.revoked': [{ jti: string; clientId: string }];
  'keys.refresh_failed': [{ error: unknown }];
  'store.pruned': [PruneRun];
}

export class GridkeyEventBus extends EventEmitter<GridkeyEvents> {}

/** Where a unit reports what happened: the emitting half of the bus. */
export type EventSink = Pick<GridkeyEventBus, 'emit'>;
