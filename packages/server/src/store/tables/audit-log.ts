import { type SqlBool, sql } from 'kysely';
import type { AuditStore } from '../types.js';
import type { StoreContext } from './store-context.js';

/** `%`, `_` and the escape character itself taken literally in a LIKE pattern. */
const literal = (text: string) => text.replace(/[!%_]/g, (c) => `!${c}`);

/**
 * `column` contains `text`, ignoring ASCII case. LIKE … ESCAPE is SQL-92 and
 * reads the same in SQLite and PostgreSQL; lower() on both sides because
 * SQLite's LIKE ignores ASCII case and PostgreSQL's does not.
 */
const contains = (column: 'actor' | 'action' | 'target', text: string) =>
  sql<SqlBool>`lower(${sql.ref(column)}) like lower(${`%${literal(text)}%`}) escape '!'`;

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
          outcome: e.outcome,
          detail: JSON.stringify(e.detail),
        })
        .execute();
    },
    async list({ limit, before, actor, action, target, since, until, outcome }) {
      let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
      if (before !== undefined) query = query.where('id', '<', before);
      if (actor !== undefined) query = query.where(contains('actor', actor));
      if (action !== undefined) query = query.where(contains('action', action));
      if (target !== undefined) query = query.where(contains('target', target));
      if (since !== undefined) query = query.where('at', '>=', since);
      if (until !== undefined) query = query.where('at', '<=', until);
      if (outcome !== undefined) query = query.where('outcome', '=', outcome);
      return (await query.execute()).map((r) => ({
        id: Number(r.id),
        at: Number(r.at),
        actor: r.actor,
        action: r.action,
        target: r.target,
        address: r.address,
        outcome: r.outcome,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      }));
    },
  };
}
