import { EventEmitter } from 'node:events';
import type { PruneRun } from './maintenance/pruner.js';

/** What the core reports; the HTTP edge turns these into logs and metrics. */
export interface GridkeyEvents {
  'token.issued': [{ grantType: string; clientId: string; jti: string; kind: 'access_token' }];
  'token.request_failed': [{ grantType: string; clientId?: string; error: string }];
  'token.revoked': [{ jti: string; clientId: string }];
  /** A registered client failed to authenticate (a wrong secret or method, or past its sunset). */
  'client.authentication_failed': [{ clientId: string }];
  /** A PAT or an API key was accepted (introspection, the admin API). */
  'credential.used': [{ kind: 'pat' | 'api_key'; id: string }];
  'keys.refresh_failed': [{ error: unknown }];
  'store.pruned': [PruneRun];
}

export class GridkeyEventBus extends EventEmitter<GridkeyEvents> {}

/** Where a unit reports what happened: the emitting half of the bus. */
export type EventSink = Pick<GridkeyEventBus, 'emit'>;
