import type { AuditStore } from '../types.js';
import type { StoreContext } from './store-context.js';

export function auditStore({ db }: StoreContext): AuditStore {
  return {
    async append(e) {
      await db
        .insertInto('audit_log')
        .values({
          at: e.at,
          actor: e.actor,
          action: e.action,
          target: e.target,
          address: e.address,
          detail: JSON.stringify(e.detail),
        })
        .execute();
    },
    async list({ limit, before }) {
      let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
      if (before !== undefined) query = query.where('id', '<', before);
      return (await query.execute()).map((r) => ({
        id: Number(r.id),
        at: Number(r.at),
        actor: r.actor,
        action: r.action,
        target: r.target,
        address: r.address,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      }));
    },
  };
}
