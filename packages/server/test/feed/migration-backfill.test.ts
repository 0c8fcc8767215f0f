import { type Kysely, Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openBareDatabase, storeTargets } from '../../../../test/helpers/stores.js';
import type { Database } from '../../src/store/database.js';
import { KyselyStore } from '../../src/store/kysely-store.js';
import { migrationProvider } from '../../src/store/migrations/index.js';

/** Rows as a store written them before the feed had events. */
async function seedBeforeEvents(db: Kysely<Database>) {
  const pat = (id: string, extra: Record<string, unknown>) => ({
    id,
    name: id,
    role: 'viewer',
    scopes: 'read',
    token_hash: `hash-${id}`,
    jti: `jti-${id}`,
    created_at: 100,
    expires_at: 10_000,
    authorised_api: 0,
    authorised_web: 0,
    authorised_at: null,
    authorised_until: null,
    revoked_at: null,
    last_used_at: null,
    ...extra,
  });
  await db
    .insertInto('pats')
    .values([
      pat('pending', {}),
      pat('api-only', { authorised_api: 1, authorised_at: 200, authorised_until: 5000 }),
      pat('revoked', { authorised_web: 1, authorised_at: 200, revoked_at: 300 }),
    ])
    .execute();
  await db
    .insertInto('revoked_tokens')
    .values([
      { jti: 'access-1', exp: 9000, revoked_at: 250 },
      { jti: 'jti-revoked', exp: 10_000, revoked_at: 300 },
    ])
    .execute();
}

describe.each(storeTargets())('migration 006 (token events) on $kind', (target) => {
  it('copies existing revocations and PAT states into the feed, so the first snapshot is complete', async () => {
    const { db, cleanup } = await openBareDatabase(target);
    const migrator = new Migrator({ db, provider: migrationProvider(target.kind) });
    expect((await migrator.migrateTo('005-pats-audit')).error).toBeUndefined();
    await seedBeforeEvents(db);
    const store = new KyselyStore(db, target.kind);
    await store.migrate();

    const events = await store.tokenEvents.listAfter(0, 0, 100);
    // The cursor goes on above the old feed's (revoked_tokens seq 1 and 2):
    // a reader that kept its cursor across the upgrade misses nothing.
    expect(events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(events.map(({ seq: _seq, ...e }) => e)).toEqual([
      { type: 'access_token.revoked', jti: 'access-1', at: 250, exp: 9000 },
      {
        type: 'pat.state',
        jti: 'jti-api-only',
        patId: 'api-only',
        api: true,
        web: false,
        until: 5000,
        revoked: false,
        at: 200,
        exp: 10_000,
      },
      {
        type: 'pat.state',
        jti: 'jti-revoked',
        patId: 'revoked',
        api: false,
        web: true,
        until: null,
        revoked: true,
        at: 300,
        exp: 10_000,
      },
    ]);
    // Later events follow the copied ones on the same cursor.
    const last = events.at(-1)?.seq ?? 0;
    await store.revocations.revoke({ jti: 'access-2', exp: 9000, revokedAt: 400 });
    expect(await store.tokenEvents.listAfter(last, 0, 100)).toMatchObject([
      { seq: 6, type: 'access_token.revoked', jti: 'access-2' },
    ]);
    await store.close();
    await cleanup();
  });
});
