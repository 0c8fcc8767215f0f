import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreTarget, storeTargets } from '../../../../test/helpers/stores.js';
import {
  FakeClock,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import { type PruneSettings, pruneOnce } from '../../src/maintenance/pruner.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { findRefreshToken } from '../../src/tokens/refresh-tokens.js';

const PASSWORD = 'correct horse battery';
const DAY = 86_400;

/** A net2grid server on a fake clock, with one password client and one user. */
async function passwordServer(target: StoreTarget, config: Record<string, unknown>) {
  const clock = new FakeClock();
  const server = await startTestServer(target, {
    clock,
    config: { profiles: ['net2grid'], passwordScryptLogN: 10, ...config },
  });
  const app = await server.client({
    name: 'app',
    scopes: ['a'],
    grantTypes: ['password', 'refresh_token'],
    authMethod: 'client_secret_post',
  });
  const userId = (await server.gk.users.create('jane@example.com', PASSWORD)).id;
  return { server, clock, app, userId };
}

describe.each(storeTargets())('the pruner on $kind', (target) => {
  let server: TestServer;
  let clock: FakeClock;
  let app: { id: string; secret: string };
  let userId: string;

  beforeAll(async () => {
    ({ server, clock, app, userId } = await passwordServer(target, {
      refreshGrantsPerUserPerMinute: 1000,
    }));
  });
  afterAll(() => server.close());

  const now = () => Math.floor(clock.now() / 1000);
  const settings = (over: Partial<PruneSettings> = {}): PruneSettings => ({
    ...server.config,
    ...over,
  });
  const token = (form: Record<string, string>) =>
    postForm(`${server.url}/v2/token`, { client_id: app.id, client_secret: app.secret, ...form });
  const login = async () =>
    (await token({ grant_type: 'password', username: 'jane@example.com', password: PASSWORD }))
      .json;
  const refresh = async (refreshToken: string) => {
    const res = await token({ grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(res.status).toBe(200);
    return res.json;
  };
  const count = async (
    table: 'refresh_tokens' | 'derived_tokens' | 'audit_log' | 'token_events',
  ) => {
    const { db } = server.gk.store as KyselyStore;
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const introspect = async (accessToken: string) => {
    const res = await postForm(`${server.url}/oauth2/introspect`, {
      client_id: app.id,
      client_secret: app.secret,
      token: accessToken,
    });
    return res.json.active;
  };

  it('keeps the database flat under steady rotation: spent tokens go once past their retention', async () => {
    const retention = 300;
    let current = (await login()).refresh_token as string;
    const sizes: number[] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 10; i++) current = (await refresh(current)).refresh_token as string;
      clock.advance(retention + 1);
      await pruneOnce(
        server.gk.store,
        now(),
        settings({ spentRefreshTokenRetentionSeconds: retention }),
      );
      sizes.push(await count('refresh_tokens'));
    }
    // Each round adds 10 spent rows and the pruner removes the previous
    // round's: the table does not grow with the number of rounds.
    expect(new Set(sizes).size).toBe(1);
    expect(sizes[0]).toBeLessThanOrEqual(11);
    // The live member survives every run and still rotates.
    await refresh(current);
  });

  it('removes in bounded batches and says when a run left work for the next', async () => {
    let current = (await login()).refresh_token as string;
    for (let i = 0; i < 7; i++) current = (await refresh(current)).refresh_token as string;
    clock.advance(400);
    const before = await count('refresh_tokens');
    const run = await pruneOnce(
      server.gk.store,
      now(),
      settings({
        spentRefreshTokenRetentionSeconds: 300,
        pruneBatchSize: 2,
        pruneMaxBatchesPerRun: 2,
      }),
    );
    expect(run.complete).toBe(false);
    expect(run.removed['refresh_tokens.spent']).toBe(4);
    expect(await count('refresh_tokens')).toBe(before - 4);
    const rest = await pruneOnce(
      server.gk.store,
      now(),
      settings({ spentRefreshTokenRetentionSeconds: 300 }),
    );
    expect(rest.complete).toBe(true);
    await refresh(current);
  });

  it('keeps what revocation needs: a live family stays revocable after its spent members are gone', async () => {
    let tokens = await login();
    for (let i = 0; i < 3; i++) tokens = await refresh(tokens.refresh_token as string);
    clock.advance(400);
    await pruneOnce(server.gk.store, now(), settings({ spentRefreshTokenRetentionSeconds: 300 }));
    const access = tokens.access_token as string;
    expect(await introspect(access)).toBe(true);
    expect(await server.gk.store.users.revokeTokens(userId, now())).toBe(true);
    expect(await introspect(access)).toBe(false);
    const again = await token({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token as string,
    });
    expect(again.json.error).toBe('invalid_grant');
  });

  it('removes expired refresh tokens, derived links, revocations and old audit rows, but never the last feed event', async () => {
    const tokens = await login();
    await postForm(`${server.url}/oauth2/revoke`, {
      client_id: app.id,
      client_secret: app.secret,
      token: tokens.refresh_token as string,
    });
    await server.gk.audit.record({
      actor: 'test',
      action: 'test.old',
      target: 'x',
      address: '127.0.0.1',
    });
    const lastCursor = await server.gk.store.tokenEvents.lastCursor();
    expect(lastCursor).toBeGreaterThan(0);
    // Past every lifetime: 90-day families, day-long access tokens, a year of audit.
    clock.advance(366 * DAY);
    const run = await pruneOnce(server.gk.store, now(), settings());
    expect(run.complete).toBe(true);
    expect(run.removed['derived_tokens.expired']).toBeGreaterThan(0);
    expect(run.removed['token_events.expired']).toBeGreaterThan(0);
    expect(run.removed['audit_log.old']).toBeGreaterThan(0);
    expect(await count('refresh_tokens')).toBe(0);
    expect(await count('derived_tokens')).toBe(0);
    expect(await count('audit_log')).toBe(0);
    // The newest event stays, so the feed's last cursor does not go back and
    // a reader that has seen it is not told to start over.
    expect(await count('token_events')).toBe(1);
    expect(await server.gk.store.tokenEvents.lastCursor()).toBe(lastCursor);
    const page = (await (await fetch(`${server.url}/revocations?after=${lastCursor}`)).json()) as {
      reset?: boolean;
      events: unknown[];
    };
    expect(page.reset).toBeUndefined();
    expect(page.events).toEqual([]);
    // A second run finds nothing left.
    expect((await pruneOnce(server.gk.store, now(), settings())).removed).toEqual({});
  });
});

describe.each(storeTargets())('what the pruner keeps on $kind', (target) => {
  let server: TestServer;
  let clock: FakeClock;
  let app: { id: string; secret: string };
  let userId: string;

  beforeAll(async () => {
    // Refresh tokens shorter-lived than access tokens: a family's rows expire
    // while the access tokens it issued still live.
    ({ server, clock, app, userId } = await passwordServer(target, {
      refreshTokenTtlSeconds: 60,
      spentRefreshTokenRetentionSeconds: 3600,
    }));
  });
  afterAll(() => server.close());

  const now = () => Math.floor(clock.now() / 1000);
  const token = (form: Record<string, string>) =>
    postForm(`${server.url}/v2/token`, { client_id: app.id, client_secret: app.secret, ...form });
  const login = async () =>
    (await token({ grant_type: 'password', username: 'jane@example.com', password: PASSWORD }))
      .json;
  const active = async (accessToken: string) =>
    (
      await postForm(`${server.url}/oauth2/introspect`, {
        client_id: app.id,
        client_secret: app.secret,
        token: accessToken,
      })
    ).json.active;
  const familyRows = async (refreshToken: string) => {
    const { db } = server.gk.store as KyselyStore;
    const found = await findRefreshToken(server.gk, refreshToken);
    if (found === undefined) return 0;
    const rows = await db
      .selectFrom('refresh_tokens')
      .select('id')
      .where('family_id', '=', found.familyId)
      .execute();
    return rows.length;
  };

  it('keeps a family findable while its access tokens live, so revoking the user still reaches them', async () => {
    const tokens = await login();
    clock.advance(600);
    await pruneOnce(server.gk.store, now(), server.config);
    expect(await familyRows(tokens.refresh_token as string)).toBe(1);
    expect(await active(tokens.access_token as string)).toBe(true);
    expect(await server.gk.store.users.revokeTokens(userId, now())).toBe(true);
    expect(await active(tokens.access_token as string)).toBe(false);
  });

  it('removes an expired family once none of its access tokens lives', async () => {
    const tokens = await login();
    clock.advance(3600 + 300 + 60);
    const run = await pruneOnce(server.gk.store, now(), server.config);
    expect(run.removed['refresh_tokens.expired']).toBeGreaterThanOrEqual(1);
    expect(await familyRows(tokens.refresh_token as string)).toBe(0);
  });

  it('keeps a spent token past its own expiry until the retention: its replay still revokes the family', async () => {
    const first = await login();
    const second = (
      await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string })
    ).json;
    expect(second.access_token).toEqual(expect.any(String));
    // Both refresh tokens have expired; the spent one is within its retention.
    clock.advance(120);
    await pruneOnce(server.gk.store, now(), server.config);
    const replay = await token({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token as string,
    });
    expect(replay.json.error).toBe('invalid_grant');
    // RFC 9700 §4.14.2: the family is revoked, and with it its live access tokens.
    expect(await active(second.access_token as string)).toBe(false);
  });
});
