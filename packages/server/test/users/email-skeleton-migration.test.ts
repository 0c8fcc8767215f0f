import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openBareDatabase, storeTargets } from '../../../../test/helpers/stores.js';
import { KyselyStore } from '../../src/store/kysely-store.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { emailSkeleton } from '../../src/users/email.js';

const SOFT_HYPHEN = '\u00ad';

describe.each(storeTargets())('migration 010 (look-alike skeletons) on $kind', (target) => {
  it('recomputes skeletons written under the old rules, so no new look-alike gets in', async () => {
    const { db, cleanup } = await openBareDatabase(target);
    try {
      const migrator = new Migrator({ db, provider: migrationProvider(target.kind) });
      expect((await migrator.migrateTo('009-pruning-indexes')).error).toBeUndefined();
      // Before the fix, invisible characters stayed in the skeleton: these
      // two were allowed beside each other, and "bob" had a private one.
      const user = (id: string, email: string, skeleton: string, createdAt: number) => ({
        id,
        email,
        email_skeleton: skeleton,
        password_hash: 'x',
        created_at: createdAt,
        updated_at: createdAt,
        disabled_at: null,
      });
      const bob = `b${SOFT_HYPHEN}ob@example.com`;
      const aliceLookAlike = `al${SOFT_HYPHEN}ice@example.com`;
      await db
        .insertInto('users')
        .values([
          user('u-bob', bob, bob, 100),
          user('u-alice', 'alice@example.com', 'alice@example.com', 200),
          user('u-alice-2', aliceLookAlike, aliceLookAlike, 300),
        ])
        .execute();
      const store = new KyselyStore(db, target.kind);
      await store.migrate();

      const rows = await db
        .selectFrom('users')
        .select(['id', 'email_skeleton'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { id: 'u-alice', email_skeleton: 'alice@example.com' },
        // Shares the new skeleton with an earlier user: keeps its old one.
        { id: 'u-alice-2', email_skeleton: aliceLookAlike },
        { id: 'u-bob', email_skeleton: 'bob@example.com' },
      ]);
      // A plain "bob" and another look-alike of alice are refused now.
      const insert = (id: string, email: string) =>
        store.users.insert({
          id,
          email,
          emailSkeleton: emailSkeleton(email),
          passwordHash: 'x',
          createdAt: 400,
          updatedAt: 400,
          disabledAt: null,
        });
      expect(await insert('u-bob-2', 'bob@example.com')).toBe(false);
      expect(await insert('u-alice-3', 'al\u2060ice@example.com')).toBe(false);
      expect(await insert('u-carol', 'carol@example.com')).toBe(true);
      await store.close();
    } finally {
      await cleanup();
    }
  });
});
