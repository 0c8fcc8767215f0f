import type { Kysely, Migration } from 'kysely';
import { emailSkeleton } from '../../users/email.js';

interface Tables {
  users: { id: string; email: string; email_skeleton: string; created_at: number };
}

/**
 * Look-alike skeletons under the current rules (invisible characters and
 * dotless i/j): users registered before them keep a skeleton that a new
 * look-alike of their address would not collide with. Each skeleton is
 * recomputed; where two existing users now share one (both were allowed
 * then), the earlier-registered keeps the new skeleton and the later one
 * its old, so both still log in and no third look-alike can be added.
 */
export function emailSkeletonsSchema(): Migration {
  return {
    async up(untyped: Kysely<unknown>) {
      const db = untyped as Kysely<Tables>;
      const users = await db
        .selectFrom('users')
        .select(['id', 'email', 'email_skeleton'])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const taken = new Set(users.map((u) => u.email_skeleton));
      const changes: { id: string; skeleton: string }[] = [];
      for (const u of users) {
        const next = emailSkeleton(u.email);
        if (next === u.email_skeleton || taken.has(next)) continue;
        taken.add(next);
        changes.push({ id: u.id, skeleton: next });
      }
      for (const c of changes) {
        await db
          .updateTable('users')
          .set({ email_skeleton: c.skeleton })
          .where('id', '=', c.id)
          .execute();
      }
    },
  };
}
