/**
 * What a node does when its databases go away under load, and that it comes
 * back by itself (docs/operations.md, "Database outages"):
 *
 * - PostgreSQL stopped (`pg_ctl stop -m immediate`, then `-m fast`) on a
 *   cluster of this file's own (the global one is shared by other files):
 *   every token, refresh and revocation request is answered within 2 s, with
 *   503, Retry-After and an OAuth JSON error, never a 500; /readyz is 503;
 *   nothing is half-written; the same process serves again once PostgreSQL is
 *   back, without a restart.
 * - Redis lost: the shared rate limits fall back to each node's own budget
 *   (still enforced, 429 past it), with one warning; Redis back, they are
 *   shared again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  findPostgresBinDir,
  type PostgresCluster,
  startPostgresCluster,
} from '../../../../test/helpers/postgres-cluster.js';
import { type RedisServer, redisAvailable, startRedis } from '../../../../test/helpers/redis.js';
import {
  type RedisSharedNodes,
  startRedisSharedNodes,
} from '../../../../test/helpers/redis-nodes.js';
import { type ServeProcess, serveProcess } from '../../../../test/helpers/serve-process.js';
import { basic, postForm } from '../../../../test/helpers/test-server.js';
import { loadConfig } from '../../src/config/load-config.js';
import { type Gridkey, openGridkey } from '../../src/gridkey.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { findRefreshToken } from '../../src/tokens/refresh-tokens.js';

/** The promise: while PostgreSQL is away, every request is answered within this. */
const DEADLINE_MS = 2000;
/**
 * The client's own timeout, for the steady load before the outage and after
 * recovery too: there a slow answer only means a busy machine, so it gets
 * more room than the outage's promise.
 */
const CLIENT_TIMEOUT_MS = 5000;
/** How long PostgreSQL back may take until the node serves again. */
const RECOVERY_BOUND_MS = 10_000;
const PASSWORD = 'correct horse battery';

interface Outcome {
  kind: 'client_credentials' | 'password' | 'refresh_token' | 'revoke';
  sentAt: number;
  doneAt: number;
  /** The HTTP status, or what went wrong on the client's side. */
  status: number | 'timeout' | 'error';
  retryAfter: string | null;
  contentType: string | null;
  json: Record<string, unknown> | undefined;
}

/** One POST with a client-side deadline; a timeout is an outcome, not an exception. */
async function send(
  url: string,
  kind: Outcome['kind'],
  form: Record<string, string>,
  authorization: string,
): Promise<Outcome> {
  const sentAt = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    return {
      kind,
      sentAt,
      doneAt: performance.now(),
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      contentType: res.headers.get('content-type'),
      json,
    };
  } catch (err) {
    return {
      kind,
      sentAt,
      doneAt: performance.now(),
      status: (err as Error).name === 'TimeoutError' ? 'timeout' : 'error',
      retryAfter: null,
      contentType: null,
      json: undefined,
    };
  }
}

/** What the clients were told succeeded: it must all be in the database afterwards. */
interface Acknowledged {
  /** Refresh tokens handed out (password grant or rotation). */
  refreshTokens: string[];
  /** Rotations answered 200: the old token must be spent. */
  spent: string[];
  /** jtis of access tokens issued to users (recorded for their family). */
  userAccessJtis: string[];
  /** Refresh tokens whose revocation was answered 200: the family must be revoked. */
  revokedRefresh: string[];
  /** Access tokens whose revocation was answered 200. */
  revokedJtis: string[];
}

const binDir = findPostgresBinDir();

describe.skipIf(binDir === undefined)('PostgreSQL stopped under load', () => {
  let cluster: PostgresCluster;
  let dir: string;
  let node: ServeProcess;
  let base: string;
  let service: { id: string; secret: string };
  let app: { id: string; secret: string };
  const acked: Acknowledged = {
    refreshTokens: [],
    spent: [],
    userAccessJtis: [],
    revokedRefresh: [],
    revokedJtis: [],
  };

  const openLocal = () =>
    openGridkey(
      loadConfig({ flags: { dataDir: dir, db: cluster.url, passwordScryptLogN: 10 }, env: {} }),
      { ensureKeys: true, env: {} },
    );

  beforeAll(async () => {
    cluster = await startPostgresCluster(binDir as string);
    dir = mkdtempSync(join(tmpdir(), 'gridkey-db-faults-'));
    const gk = await openLocal();
    try {
      const a = await gk.clients.create({ name: 'service', scopes: ['read'] });
      service = { id: a.client.clientId, secret: a.secret };
      const b = await gk.clients.create({
        name: 'app',
        scopes: ['read'],
        grantTypes: ['password', 'refresh_token', 'client_credentials'],
      });
      app = { id: b.client.clientId, secret: b.secret };
      for (let i = 0; i < 4; i++) await gk.users.create(`user${i}@example.com`, PASSWORD);
    } finally {
      await gk.close();
    }
    node = serveProcess(['--data-dir', dir], {
      GRIDKEY_DB: cluster.url,
      // Every request reads its client from the database: none is answered
      // from the cache while PostgreSQL is down.
      GRIDKEY_CLIENT_CACHE_TTL_SECONDS: '0',
      GRIDKEY_CLIENT_TOKENS_PER_MINUTE: '1000000',
      GRIDKEY_REFRESH_GRANTS_PER_USER_PER_MINUTE: '1000000',
      GRIDKEY_PASSWORD_SCRYPT_LOG_N: '10',
    });
    base = await node.listening;
  });
  afterAll(async () => {
    await node?.stop();
    await cluster?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Steady load until stopped: client_credentials from several workers, a
   * refresh-token chain per user, and revocations of both kinds.
   */
  function startLoad() {
    const outcomes: Outcome[] = [];
    let running = true;
    const token = `${base}/oauth2/token`;
    const revokeUrl = `${base}/oauth2/revoke`;
    const record = (o: Outcome) => {
      outcomes.push(o);
      return o;
    };
    const pause = () => sleep(5);
    const recordUserTokens = (o: Outcome) => {
      acked.refreshTokens.push(o.json?.refresh_token as string);
      acked.userAccessJtis.push(decodeJwt(o.json?.access_token as string).jti as string);
    };
    const login = async (user: number) => {
      const o = record(
        await send(
          token,
          'password',
          { grant_type: 'password', username: `user${user}@example.com`, password: PASSWORD },
          basic(app.id, app.secret),
        ),
      );
      if (o.status !== 200) return undefined;
      recordUserTokens(o);
      return o.json?.refresh_token as string;
    };
    const clientCredentials = async () => {
      while (running) {
        record(
          await send(
            token,
            'client_credentials',
            { grant_type: 'client_credentials' },
            basic(service.id, service.secret),
          ),
        );
        await pause();
      }
    };
    const refreshChain = async (user: number) => {
      let current: string | undefined;
      while (running) {
        if (current === undefined) {
          current = await login(user);
        } else {
          const o = record(
            await send(
              token,
              'refresh_token',
              { grant_type: 'refresh_token', refresh_token: current },
              basic(app.id, app.secret),
            ),
          );
          if (o.status === 200) {
            acked.spent.push(current);
            recordUserTokens(o);
            current = o.json?.refresh_token as string;
          } else if (o.status !== 503) {
            current = undefined; // the family is gone (see the assertions)
          }
        }
        await pause();
      }
    };
    // Tokens to revoke, kept in stock so that revocations go on during the outage too.
    const stock: { token: string; jti?: string }[] = [];
    const revocations = async () => {
      while (running) {
        let obtained = false;
        const refresh = await login(3);
        if (refresh !== undefined) {
          stock.push({ token: refresh });
          obtained = true;
        }
        const cc = record(
          await send(
            token,
            'client_credentials',
            { grant_type: 'client_credentials' },
            basic(app.id, app.secret),
          ),
        );
        if (cc.status === 200) {
          const access = cc.json?.access_token as string;
          stock.push({ token: access, jti: decodeJwt(access).jti as string });
          obtained = true;
        }
        // Spend the stock down to 4 while tokens come, all of it when none do.
        while (stock.length > (obtained ? 4 : 0) && running) {
          const next = stock[0] as { token: string; jti?: string };
          const o = record(
            await send(revokeUrl, 'revoke', { token: next.token }, basic(app.id, app.secret)),
          );
          if (o.status !== 200) break; // kept, to be revoked once the database is back
          stock.shift();
          if (next.jti === undefined) acked.revokedRefresh.push(next.token);
          else acked.revokedJtis.push(next.jti);
        }
        await pause();
      }
    };
    const workers = [
      ...Array.from({ length: 6 }, clientCredentials),
      refreshChain(0),
      refreshChain(1),
      refreshChain(2),
      revocations(),
    ];
    return {
      outcomes,
      async stop() {
        running = false;
        await Promise.all(workers);
      },
    };
  }

  const readyz = async () => {
    try {
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(DEADLINE_MS) });
      return res.status;
    } catch {
      return 'timeout';
    }
  };

  /** A 503 that tells the client what happened and when to try again. */
  const expectUnavailable = (o: Outcome) => {
    expect(o.status, JSON.stringify(o)).toBe(503);
    expect(Number(o.retryAfter), JSON.stringify(o)).toBeGreaterThan(0);
    expect(o.contentType).toMatch(/^application\/json/);
    expect(o.json?.error).toBe('temporarily_unavailable');
  };

  it.each(['immediate', 'fast'] as const)(
    'answers 503 within 2 s while PostgreSQL is stopped (-m %s) and recovers without a restart',
    async (mode) => {
      const linesBefore = node.output().stdout.length;
      const load = startLoad();
      let beforeStop: Outcome[] = [];
      let stopping = 0;
      let stopped = 0;
      let restarting = 0;
      let ready = 0;
      let readyWhileDown: number | string = 0;
      let down = false;
      try {
        // Steady load first: every kind of request answered 200 a few times.
        await vi.waitFor(
          () => {
            for (const kind of ['client_credentials', 'password', 'refresh_token', 'revoke']) {
              expect(load.outcomes.filter((o) => o.kind === kind).length).toBeGreaterThan(3);
            }
          },
          { timeout: 10_000, interval: 50 },
        );
        beforeStop = [...load.outcomes];
        stopping = performance.now();
        down = true;
        await cluster.stop(mode);
        stopped = performance.now();
        await sleep(1200);
        readyWhileDown = await readyz();
        restarting = performance.now();
        await cluster.start();
        down = false;
        // The same process serves again, within a bounded wait.
        await vi.waitFor(
          async () => {
            expect(await readyz()).toBe(200);
            ready = performance.now();
          },
          { timeout: RECOVERY_BOUND_MS, interval: 50 },
        );
        await sleep(700);
      } finally {
        await load.stop();
        // Whatever failed, the next test finds PostgreSQL running.
        if (down) await cluster.start().catch(() => {});
      }
      expect(beforeStop.filter((o) => o.status !== 200)).toEqual([]);
      expect(readyWhileDown).toBe(503);
      const recoveredIn = ready - restarting;
      expect(recoveredIn).toBeLessThan(RECOVERY_BOUND_MS);

      const all = load.outcomes;
      const log = node.output().stdout.slice(linesBefore);
      // A refresh token rotated by a COMMIT whose answer was lost is spent: the
      // client's retry is then refused (and its family revoked as a replay).
      // Only then may a refresh be refused, and the log says so.
      const outcomeUnknown = log.includes('"outcomeUnknown":true');

      // Every request answered, in time, and never with a 500: within the
      // promise if any of it fell in the outage (from its start), within the
      // client's timeout otherwise.
      for (const o of all) {
        const inOutage = o.doneAt > stopping && o.sentAt < ready;
        const waited = o.doneAt - (inOutage ? Math.max(o.sentAt, stopping) : o.sentAt);
        expect(waited, JSON.stringify(o)).toBeLessThan(inOutage ? DEADLINE_MS : CLIENT_TIMEOUT_MS);
        if (o.status === 400 && o.kind === 'refresh_token' && outcomeUnknown) continue;
        if (o.status !== 200) expectUnavailable(o);
      }
      // Sent once PostgreSQL was gone and answered before it was back: all 503.
      const during = all.filter((o) => o.sentAt >= stopped && o.doneAt <= restarting);
      for (const kind of ['client_credentials', 'password', 'refresh_token', 'revoke'] as const) {
        expect(during.filter((o) => o.kind === kind).length, kind).toBeGreaterThan(0);
      }
      for (const o of during) expectUnavailable(o);
      // In flight at the stop: answered within the deadline of the stop too.
      for (const o of all.filter((o) => o.sentAt < stopped && o.doneAt > stopping)) {
        expect(o.doneAt - Math.max(o.sentAt, stopping)).toBeLessThan(DEADLINE_MS);
      }
      // Served again once ready: every request sent after that succeeds.
      const after = all.filter((o) => o.sentAt >= ready);
      expect(after.length).toBeGreaterThan(10);
      for (const o of after) {
        if (o.status === 400 && o.kind === 'refresh_token' && outcomeUnknown) continue;
        expect(o.status, JSON.stringify(o)).toBe(200);
      }
      expect(log).toContain('"database unavailable"');
      expect(log).not.toContain('"request failed"');
      expect(node.proc.exitCode).toBeNull();
      console.info(
        `pg_ctl stop -m ${mode}: ${all.length} requests, ${during.length} during the outage, ` +
          `slowest ${Math.round(Math.max(...all.map((o) => o.doneAt - o.sentAt)))} ms, ` +
          `ready ${Math.round(recoveredIn)} ms after pg_ctl start began` +
          (outcomeUnknown ? ', a COMMIT lost on its way (outcomeUnknown)' : ''),
      );
    },
    30_000,
  );

  it('lost nothing that was acknowledged and left no refresh family with two live members', async () => {
    expect(acked.refreshTokens.length).toBeGreaterThan(10);
    expect(acked.revokedRefresh.length).toBeGreaterThan(0);
    expect(acked.revokedJtis.length).toBeGreaterThan(0);
    const gk: Gridkey = await openLocal();
    try {
      const db = (gk.store as KyselyStore).db;
      const doubled = await sql<{ family_id: string }>`
        select family_id from refresh_tokens
        where spent_at is null and revoked_at is null
        group by family_id having count(*) > 1`.execute(db);
      expect(doubled.rows).toEqual([]);
      for (const token of acked.refreshTokens) {
        expect(await findRefreshToken(gk, token), token).toBeDefined();
      }
      for (const token of acked.spent) {
        expect((await findRefreshToken(gk, token))?.spentAt ?? null, token).not.toBeNull();
      }
      for (const token of acked.revokedRefresh) {
        const record = await findRefreshToken(gk, token);
        const live = await db
          .selectFrom('refresh_tokens')
          .select('id')
          .where('family_id', '=', record?.familyId ?? '')
          .where('revoked_at', 'is', null)
          .execute();
        expect(live, token).toEqual([]);
      }
      const derived = new Set(
        (await db.selectFrom('derived_tokens').select('jti').execute()).map((r) => r.jti),
      );
      for (const jti of acked.userAccessJtis) expect(derived.has(jti), jti).toBe(true);
      const revoked = new Set(
        (await db.selectFrom('revoked_tokens').select('jti').execute()).map((r) => r.jti),
      );
      for (const jti of acked.revokedJtis) expect(revoked.has(jti), jti).toBe(true);
    } finally {
      await gk.close();
    }
  });
});

describe.skipIf(!redisAvailable())('Redis lost under shared rate limits', () => {
  let redis: RedisServer;
  let port: number;
  let nodes: ServeProcess[] = [];
  let urls: string[] = [];
  let client: { id: string; secret: string };
  let shared: RedisSharedNodes | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    port = Number(new URL(redis.url).port);
    shared = await startRedisSharedNodes(redis.url);
    ({ nodes, urls, client } = shared);
  });
  afterAll(async () => {
    await shared?.stop();
    await redis?.stop();
  });

  const token = (url: string) =>
    postForm(
      `${url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(client.id, client.secret) },
    );
  /** Alternates between the nodes, starting with the first. */
  const alternating = async (count: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push((await token(urls[i % 2] as string)).status);
    return statuses;
  };
  const logLines = (n: ServeProcess, text: string) =>
    n
      .output()
      .stdout.split('\n')
      .filter((l) => l.includes(text));

  it('shares, falls back to local budgets with one warning, and shares again once Redis is back', async () => {
    // Shared: one budget of 4 over both nodes.
    expect(await alternating(6)).toEqual([200, 200, 200, 200, 429, 429]);

    await redis.stop();
    // Local: each node enforces its own fresh budget of 4, and keeps serving.
    for (const url of urls) {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await token(url);
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    }
    for (const n of nodes) {
      await vi.waitFor(() => expect(logLines(n, 'Redis unreachable')).toHaveLength(1), {
        timeout: 5000,
      });
      expect(logLines(n, 'Redis unreachable')[0]).toContain('"level":40');
    }

    // Redis back (empty, same address): each node reconnects by itself and
    // says so; the budget is one again. Both local budgets are spent, so a
    // 200 here can only come from the fresh shared one.
    redis = await startRedis({ port });
    for (const n of nodes) {
      await vi.waitFor(() => expect(logLines(n, 'Redis reachable again')).toHaveLength(1), {
        timeout: 10_000,
      });
    }
    expect(await alternating(6)).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
