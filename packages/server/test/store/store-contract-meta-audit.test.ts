/**
 * Store contract: meta, the audit log, ping and close, and what a fresh
 * store holds, on every store target.
 */
import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openBareDatabase, storeTargets } from '../../../../test/helpers/stores.js';
import { KyselyStore } from '../../src/store/kysely-store.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { AuditOutcome, Store } from '../../src/store/types.js';
import { client, openFresh, RACERS, T, uid, useStore } from './store-contract-helpers.js';

describe.each(storeTargets())('store contract: meta on $kind', (target) => {
  const store = useStore(target);

  it('has no value for an unknown key', async () => {
    expect(await store().meta.get(uid('meta'))).toBeUndefined();
  });

  it('sets a value once and returns the stored value ever after', async () => {
    const key = uid('meta');
    expect(await store().meta.setIfAbsent(key, 'first')).toBe('first');
    expect(await store().meta.get(key)).toBe('first');
    expect(await store().meta.setIfAbsent(key, 'second')).toBe('first');
    expect(await store().meta.get(key)).toBe('first');
  });

  it('of concurrent first sets with different values, all return the one stored', async () => {
    const key = uid('meta');
    const values = Array.from({ length: RACERS }, (_, i) => `value-${i}`);
    const results = await Promise.all(values.map((v) => store().meta.setIfAbsent(key, v)));
    const stored = await store().meta.get(key);
    expect(values).toContain(stored);
    expect(results).toEqual(values.map(() => stored));
  });
});

describe.each(storeTargets())('store contract: audit log on $kind', (target) => {
  // Shared: each test reads back only the newest entries, its own.
  const store = useStore(target);

  const OUTCOMES: readonly AuditOutcome[] = ['ok', 'refused', 'failed'];
  const entry = (i: number, actor = 'pat:p1 (deploy)') => ({
    at: T + i,
    actor,
    action: 'client.create',
    target: `client-${i}`,
    address: '203.0.113.7',
    outcome: OUTCOMES[i % 3] ?? 'ok',
    detail: { i, nested: { list: [1, 'two', null], flag: true }, text: 'ünïcode' },
  });

  it('round-trips every field, the detail as JSON, newest first with increasing ids', async () => {
    const actor = uid('actor');
    for (let i = 0; i < 3; i++) await store().audit.append(entry(i, actor));
    await store().audit.append({ ...entry(3, actor), detail: {} });
    const listed = await store().audit.list({ limit: 4 });
    expect(listed.map(({ id: _, ...e }) => e)).toEqual([
      { ...entry(3, actor), detail: {} },
      entry(2, actor),
      entry(1, actor),
      entry(0, actor),
    ]);
    const ids = listed.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
  });

  it('orders by id, not by time', async () => {
    const actor = uid('actor');
    await store().audit.append({ ...entry(0, actor), at: T + 50, target: 'first' });
    await store().audit.append({ ...entry(0, actor), at: T - 50, target: 'second' });
    expect((await store().audit.list({ limit: 2 })).map((e) => e.target)).toEqual([
      'second',
      'first',
    ]);
  });

  it('pages with limit and before (exclusive), newest first, without gaps or overlaps', async () => {
    const actor = uid('actor');
    for (let i = 0; i < 7; i++) await store().audit.append({ ...entry(i, actor), at: T });
    const mine = await store().audit.list({ limit: 7 });
    expect(mine.map((e) => e.target)).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `client-${i}`));
    const pages: number[][] = [];
    let before: number | undefined;
    for (let n = 0; n < 7; n += 3) {
      const page = await store().audit.list({
        limit: Math.min(3, 7 - n),
        ...(before === undefined ? {} : { before }),
      });
      pages.push(page.map((e) => e.id));
      before = page.at(-1)?.id;
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(mine.map((e) => e.id));
    const second = mine[1];
    if (second === undefined) throw new Error('no entries');
    expect((await store().audit.list({ limit: 1, before: second.id }))[0]?.id).toBe(mine[2]?.id);
  });
});

describe.each(storeTargets())('store contract: audit log search on $kind', (target) => {
  // Shared: each test searches for a term only its own entries hold.
  const store = useStore(target);

  const append = (e: {
    at: number;
    actor: string;
    action: string;
    target: string;
    outcome?: AuditOutcome;
  }) => store().audit.append({ outcome: 'ok', ...e, address: 'cli', detail: {} });
  const targets = async (options: Omit<Parameters<Store['audit']['list']>[0], 'limit'>) =>
    (await store().audit.list({ limit: 100, ...options })).map((e) => e.target);

  it('finds entries with exactly the outcome asked for, with the other conditions', async () => {
    const u = uid('outcome');
    for (const [i, outcome] of (['ok', 'refused', 'failed', 'refused'] as const).entries()) {
      await append({
        at: T + i,
        actor: `cli:${u}@host`,
        action: 'user.create',
        target: `${u}-${i}`,
        outcome,
      });
    }
    expect(await targets({ actor: u, outcome: 'refused' })).toEqual([`${u}-3`, `${u}-1`]);
    expect(await targets({ actor: u, outcome: 'ok' })).toEqual([`${u}-0`]);
    expect(await targets({ actor: u, outcome: 'failed' })).toEqual([`${u}-2`]);
    expect(await targets({ actor: u, outcome: 'refused', until: T + 2 })).toEqual([`${u}-1`]);
    expect(await targets({ actor: u })).toHaveLength(4);
  });

  it('finds entries whose actor, action or target contains the text, ignoring ASCII case', async () => {
    const u = uid('who');
    await append({ at: T, actor: `pat:${u} (Deploy Bot)`, action: 'pat.create', target: `${u}-a` });
    await append({
      at: T,
      actor: `cli:${u}@host`,
      action: 'client.rotate_secret',
      target: `${u}-b`,
    });
    await append({
      at: T,
      actor: `pat:${u} (Deploy Bot)`,
      action: 'api_key.revoke',
      target: `${u}-c`,
    });
    expect(await targets({ actor: u })).toEqual([`${u}-c`, `${u}-b`, `${u}-a`]);
    expect(await targets({ actor: `${u.toUpperCase()} (deploy bot` })).toEqual([
      `${u}-c`,
      `${u}-a`,
    ]);
    expect(await targets({ actor: u, action: 'PAT.' })).toEqual([`${u}-a`]);
    expect(await targets({ actor: u, action: 'rotate_secret' })).toEqual([`${u}-b`]);
    expect(await targets({ target: `${u}-B` })).toEqual([`${u}-b`]);
    expect(await targets({ actor: u, target: `${u}-b`, action: 'pat' })).toEqual([]);
  });

  it('takes % and _ in the text literally, not as wildcards', async () => {
    const u = uid('lit');
    await append({ at: T, actor: 'cli', action: 'a', target: `${u} 50%_off` });
    await append({ at: T, actor: 'cli', action: 'a', target: `${u} 50xxoff` });
    await append({ at: T, actor: 'cli', action: 'a', target: `${u} 50!off` });
    expect(await targets({ target: `${u} 50%_off` })).toEqual([`${u} 50%_off`]);
    expect(await targets({ target: `${u} 50_` })).toEqual([]);
    expect(await targets({ target: `${u} 50!` })).toEqual([`${u} 50!off`]);
  });

  it('keeps entries in the time range, both ends included, with limit and before', async () => {
    const u = uid('when');
    for (const i of [0, 1, 2, 3, 4]) {
      await append({ at: T + i * 60, actor: u, action: 'a', target: `${u}-${i}` });
    }
    expect(await targets({ actor: u, since: T + 60, until: T + 180 })).toEqual(
      [3, 2, 1].map((i) => `${u}-${i}`),
    );
    expect(await targets({ actor: u, since: T + 181 })).toEqual([`${u}-4`]);
    expect(await targets({ actor: u, until: T + 59 })).toEqual([`${u}-0`]);
    expect(await targets({ actor: u, since: T + 300 })).toEqual([]);
    const [newest] = await store().audit.list({ limit: 1, actor: u, since: T + 60 });
    const page = await store().audit.list({
      limit: 2,
      actor: u,
      since: T + 60,
      before: newest?.id ?? 0,
    });
    expect(page.map((e) => e.target)).toEqual([`${u}-3`, `${u}-2`]);
  });
});

describe.each(storeTargets())('store contract: ping and close on $kind', (target) => {
  it('pings while open, and fails to once closed', async () => {
    const { store, close } = await openFresh(target);
    try {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(store.dialect).toBe(target.kind);
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    } finally {
      await close();
    }
  });

  it('keeps what was written across a close and a reopen of the same database', async () => {
    const { dbUrl, cleanup } = await target.create();
    try {
      const first = await openStore(dbUrl);
      const c = client();
      await first.clients.insert(c);
      await first.close();
      const second = await openStore(dbUrl);
      try {
        expect(await second.clients.findById(c.clientId)).toEqual(c);
      } finally {
        await second.close();
      }
    } finally {
      await cleanup();
    }
  });
});

describe.each(storeTargets())('store contract: a fresh store on $kind', (target) => {
  it('holds nothing: every list and feed empty, cursors at 0, nothing to prune', async () => {
    const { store, close } = await openFresh(target);
    try {
      expect(await store.clients.list()).toEqual([]);
      expect(await store.apiKeys.list()).toEqual([]);
      expect(await store.signingKeys.list()).toEqual([]);
      expect(await store.users.list()).toEqual([]);
      expect(await store.pats.list()).toEqual([]);
      expect(await store.loginTokens.list()).toEqual([]);
      expect(await store.audit.list({ limit: 10 })).toEqual([]);
      expect(await store.tokenEvents.lastCursor()).toBe(0);
      expect(await store.tokenEvents.listAfter(0, T, 100)).toEqual([]);
      expect(await store.revocations.listAfter(0, T, 100)).toEqual([]);
      const cutoffs = {
        now: T,
        spentRefreshTokensBefore: T,
        auditBefore: T,
        usageBefore: { minute: T, hour: T, day: T },
      };
      for (const t of store.pruning.targets) {
        expect(await store.pruning.pruneBatch(t, cutoffs, 100)).toBe(0);
      }
      // The first audit entry has nothing before it.
      await store.audit.append({
        at: T,
        actor: 'cli',
        action: 'a',
        target: 't',
        address: 'cli',
        outcome: 'ok',
        detail: {},
      });
      const [only] = await store.audit.list({ limit: 10 });
      expect(only).toBeDefined();
      expect(await store.audit.list({ limit: 10, before: only?.id ?? 0 })).toEqual([]);
      // Its first event gets a cursor above 0.
      await store.revocations.revoke({ jti: uid('jti'), exp: T + 60, revokedAt: T });
      expect(await store.tokenEvents.lastCursor()).toBeGreaterThan(0);
    } finally {
      await close();
    }
  });
});

describe.each(storeTargets())('migration 012 (audit outcome) on $kind', (target) => {
  it('gives every entry from before it the outcome ok', async () => {
    const { db, cleanup } = await openBareDatabase(target);
    // The store owns the connection pool from here on: closing it before
    // the database is dropped keeps a terminated idle connection from
    // surfacing as an unhandled pool error.
    const store = new KyselyStore(db, target.kind);
    try {
      const migrator = new Migrator({ db, provider: migrationProvider(target.kind) });
      expect((await migrator.migrateTo('011-usage-counts')).error).toBeUndefined();
      const old = { at: T, actor: 'cli:old@host', action: 'client.create', address: 'cli' };
      await db
        .insertInto('audit_log')
        .values([
          { ...old, target: 'before-1', detail: '{}' },
          { ...old, target: 'before-2', detail: '{"name":"x"}' },
        ])
        .execute();
      await store.migrate();
      const listed = await store.audit.list({ limit: 10 });
      expect(listed.map((e) => [e.target, e.outcome])).toEqual([
        ['before-2', 'ok'],
        ['before-1', 'ok'],
      ]);
      expect(await store.audit.list({ limit: 10, outcome: 'ok' })).toHaveLength(2);
      expect(await store.audit.list({ limit: 10, outcome: 'refused' })).toEqual([]);
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
