import { type Clock, nowSeconds } from '../lib/clock.js';
import type { AuditEntry, AuditListOptions, AuditOutcome, Store } from '../store/types.js';

export interface AuditEvent {
  actor: string;
  action: string;
  target: string;
  address: string;
  /** Default `ok`. */
  outcome?: AuditOutcome;
  /** Never a secret: names, roles, scopes, ids. */
  detail?: Record<string, unknown>;
}

/** What {@link AuditLog} uses. */
export interface AuditLogDeps {
  store: Pick<Store, 'audit'>;
  clock: Clock;
}

/** Who did what, when and from where: every admin action and every token created, authorised or revoked. */
export class AuditLog {
  constructor(private readonly deps: AuditLogDeps) {}

  record(event: AuditEvent): Promise<void> {
    return this.deps.store.audit.append({
      at: nowSeconds(this.deps.clock),
      outcome: 'ok',
      detail: {},
      ...event,
    });
  }

  list(options: AuditListOptions): Promise<AuditEntry[]> {
    return this.deps.store.audit.list(options);
  }
}

export const describeAuditEntry = (e: AuditEntry) => ({
  id: e.id,
  at: new Date(e.at * 1000).toISOString(),
  actor: e.actor,
  action: e.action,
  target: e.target,
  outcome: e.outcome,
  address: e.address,
  detail: e.detail,
});
