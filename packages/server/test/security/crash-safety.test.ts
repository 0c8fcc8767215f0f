/**
 * Crash safety: `gridkey serve` is SIGKILLed at random moments while several
 * token requests (client_credentials, password, refresh rotation) and
 * revocations (of refresh-token families and of access tokens) are in
 * flight, then restarted on the same database, hundreds of times. Whatever a
 * client was told (a 200, or the 400 of a detected reuse, whose body arrived
 * in full) must hold afterwards; what it was not told may or may not have
 * happened, but only as a whole. After every kill, with the server down, the
 * database is checked directly; after every restart, the server's answers.
 *
 * Reproduce a failure with the seed it prints: CRASH_SEED=… (and
 * CRASH_ITERATIONS=… to run longer).
 */
import SQLite from 'better-sqlite3';
import { decodeJwt } from 'jose';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { StoreTarget } from '../../../../test/helpers/stores.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import { basic } from '../../../../test/helpers/test-server.js';
import { type WarmServeProcess, warmServeProcess } from '../../../../test/helpers/warm-serve.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openGridkey } from '../../src/gridkey.js';
import { hashSecret } from '../../src/secrets/secret-hash.js';
import type { Database } from '../../src/store/database.js';

const SEED = Number(process.env.CRASH_SEED ?? 0x6b79c7a5);
const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 200);
/**
 * A bound against a hang, not a speed goal: each restart is a new Node
 * process starting the bundled CLI (about 0.3 s of CPU), and 200 kills took
 * up to 420 s while the rest of the suite ran beside them when it loaded some
 * 1,300 modules one by one (0.8 s each), so the bound leaves room.
 */
const TIMEOUT_MS = Number(process.env.CRASH_TIMEOUT_SECONDS ?? 600) * 1000;
/** Requests kept in flight while the server is killed. */
const WORKERS = 5;
/** The kill comes after up to this many answers in a run, and up to this long after. */
const MAX_ACKS_BEFORE_KILL = 12;
const MAX_KILL_DELAY_MS = 25;
const ISSUER = 'http://127.0.0.1:8999';
const PASSWORD = 'correct horse battery';
const USERS = ['ann@example.com', 'bob@example.com'];

/** mulberry32: small, seedable, good enough to pick operations and delays. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T | undefined {
      return items.length === 0 ? undefined : items[Math.floor(next() * items.length)];
    },
  };
}

/** Known: acknowledged, or found committed after an unacknowledged attempt. */
type Outcome = 'no' | 'maybe' | 'yes';

/** A refresh-token family, as far as the clients were told. */
interface Family {
  n: number;
  /** Acknowledged refresh tokens, oldest first; the last one is the head. */
  tokens: string[];
  /** Access tokens acknowledged with them. */
  jtis: string[];
  /** An operation on it is in flight or unresolved. */
  busy: boolean;
  revoked: Outcome;
  /** `yes`: spent by a rotation whose answer never arrived (its successor is unknown). */
  headSpent: Outcome;
  dbFamilyId?: string;
}

interface Access {
  jti: string;
  token: string;
  client: 'cc' | 'app';
  family?: Family;
  revoked: Outcome;
  busy: boolean;
}

interface Reply {
  status: number;
  body: string;
}

/** A POST whose answer counts only if its body arrived in full; undefined otherwise. */
async function post(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string>,
): Promise<Reply | undefined> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

/**
 * An answer that contradicts what the client knows. Busy (429) and
 * unavailable (503) answers say nothing, like a lost one.
 */
const unexpected = (reply: Reply | undefined): reply is Reply =>
  reply !== undefined && reply.status !== 429 && reply.status !== 503;

const json = (reply: Reply) => JSON.parse(reply.body) as Record<string, unknown>;

/** The checker's view of the database, read with the server down. */
interface Snapshot {
  refresh: Map<
    string,
    { id: string; family_id: string; spent_at: unknown; revoked_at: unknown; hash: string }
  >;
  families: Map<string, { rows: number; live: number; revoked: number; hashes: Set<string> }>;
  revokedJtis: Set<string>;
  derived: Map<string, string>;
}

function checker(target: StoreTarget['kind'], dbUrl: string) {
  let pool: pg.Pool | undefined;
  const open = (): { db: Kysely<Database>; raw?: SQLite.Database } => {
    if (target === 'sqlite') {
      // Read-only: closing it neither checkpoints nor removes the WAL, so the
      // next server recovers from the crashed files itself.
      const raw = new SQLite(dbUrl.slice('sqlite:'.length), { readonly: true });
      raw.pragma('busy_timeout = 5000');
      return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) }), raw };
    }
    pool ??= new pg.Pool({ connectionString: dbUrl, max: 1 });
    const shared = pool;
    // Kysely's destroy() would end the pool: hand it a wrapper that does not.
    return {
      db: new Kysely<Database>({
        dialect: new PostgresDialect({
          pool: { connect: () => shared.connect(), end: async () => {} },
        }),
      }),
    };
  };

  return {
    /**
     * Waits for the killed server's PostgreSQL sessions to end: a COMMIT it
     * sent may still be running, and its locks are held until then.
     */
    async settle(): Promise<void> {
      if (target !== 'postgres') return;
      const { db } = open();
      try {
        for (let i = 0; i < 500; i++) {
          const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()
            and backend_type = 'client backend'`.execute(db);
          if (Number(rows[0]?.n) === 0) return;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error('the killed server’s database sessions did not end');
      } finally {
        await db.destroy();
      }
    },

    async snapshot(violations: string[]): Promise<Snapshot> {
      const { db, raw } = open();
      try {
        if (raw !== undefined) {
          const integrity = raw.pragma('integrity_check') as { integrity_check: string }[];
          if (integrity.length !== 1 || integrity[0]?.integrity_check !== 'ok') {
            violations.push(`PRAGMA integrity_check: ${JSON.stringify(integrity)}`);
          }
          const fk = raw.pragma('foreign_key_check') as unknown[];
          if (fk.length > 0) violations.push(`PRAGMA foreign_key_check: ${JSON.stringify(fk)}`);
        }
        const rows = await db
          .selectFrom('refresh_tokens')
          .select(['id', 'token_hash', 'family_id', 'spent_at', 'revoked_at'])
          .execute();
        const refresh: Snapshot['refresh'] = new Map();
        const families: Snapshot['families'] = new Map();
        const ids = new Set<string>();
        for (const r of rows) {
          if (refresh.has(r.token_hash))
            violations.push(`duplicate refresh token_hash ${r.token_hash}`);
          if (ids.has(r.id)) violations.push(`duplicate refresh token id ${r.id}`);
          ids.add(r.id);
          refresh.set(r.token_hash, { ...r, hash: r.token_hash });
          const f = families.get(r.family_id) ?? {
            rows: 0,
            live: 0,
            revoked: 0,
            hashes: new Set(),
          };
          f.rows++;
          if (r.revoked_at !== null) f.revoked++;
          if (r.spent_at === null && r.revoked_at === null) f.live++;
          f.hashes.add(r.token_hash);
          families.set(r.family_id, f);
        }
        for (const [id, f] of families) {
          // A rotation spends one member and adds one in one transaction; a
          // revocation takes the whole family: never two live members, never
          // a family half revoked, and an unrevoked one always has its head.
          if (f.live > 1) violations.push(`family ${id} has ${f.live} live refresh tokens`);
          if (f.revoked > 0 && f.revoked < f.rows) {
            violations.push(`family ${id} is half revoked (${f.revoked} of ${f.rows})`);
          }
          if (f.revoked === 0 && f.live !== 1) {
            violations.push(`unrevoked family ${id} has ${f.live} live refresh tokens, not 1`);
          }
        }
        const revoked = await db.selectFrom('revoked_tokens').select(['seq', 'jti']).execute();
        const revokedJtis = new Set<string>();
        const seqs = new Set<number>();
        for (const r of revoked) {
          if (revokedJtis.has(r.jti)) violations.push(`duplicate revoked_tokens jti ${r.jti}`);
          if (seqs.has(Number(r.seq))) violations.push(`duplicate revoked_tokens seq ${r.seq}`);
          revokedJtis.add(r.jti);
          seqs.add(Number(r.seq));
        }
        const derivedRows = await db
          .selectFrom('derived_tokens')
          .select(['jti', 'parent_id'])
          .where('parent_kind', '=', 'refresh_family')
          .execute();
        const derived = new Map<string, string>();
        for (const d of derivedRows) {
          if (derived.has(d.jti)) violations.push(`duplicate derived_tokens jti ${d.jti}`);
          derived.set(d.jti, d.parent_id);
        }
        const events = await db.selectFrom('token_events').select('seq').execute();
        if (new Set(events.map((e) => Number(e.seq))).size !== events.length) {
          violations.push('duplicate token_events seq');
        }
        return { refresh, families, revokedJtis, derived };
      } finally {
        await db.destroy();
        raw?.close();
      }
    },

    async close() {
      await pool?.end();
    },
  };
}

describe.concurrent.each(storeTargets())('crash safety on $kind', (target) => {
  it(
    `keeps every acknowledged issuance, rotation and revocation across ${ITERATIONS} SIGKILLs`,
    async () => {
      const seed = (SEED + (target.kind === 'postgres' ? 1 : 0)) >>> 0;
      const rng = random(seed);
      const started = Date.now();
      const { dbUrl, dataDir, cleanup } = await target.create();
      const violations: string[] = [];
      const counts: Record<string, number> = {};
      let acknowledged = 0;
      const count = (what: string) => {
        counts[what] = (counts[what] ?? 0) + 1;
        if (what.startsWith('ack ')) acknowledged++;
      };

      // Clients and users, written before the first server starts. Both
      // stores' variants run at once in this one process, so one's
      // synchronous work (SQLite statements, modules loaded through vitest's
      // transform) holds the other's event loop: up to 0.26 s with six busy
      // processes beside it (a 5 ms interval's longest gap). While the RSA key
      // was still made on the loop it was 1.2 s, and pg's 1 s connect timer
      // once fired before PostgreSQL's answer was read. The servers under
      // test, each a process of its own, keep the default.
      const config = loadConfig({
        flags: { dataDir, db: dbUrl, passwordScryptLogN: 10, dbConnectTimeoutMs: 30_000 },
        env: {},
      });
      const gk = await openGridkey(config, { ensureKeys: true, env: {} });
      const cc = await gk.clients.create({ name: 'machine', scopes: ['read', 'write'] });
      const app = await gk.clients.create({
        name: 'app',
        scopes: ['read', 'write'],
        grantTypes: ['password', 'refresh_token'],
      });
      for (const email of USERS) await gk.users.create(email, PASSWORD);
      const pepper = gk.secrets.pepper;
      await gk.close();
      const auth = {
        cc: basic(cc.client.clientId, cc.secret),
        app: basic(app.client.clientId, app.secret),
      };
      const hash = (token: string) => hashSecret(pepper, token);

      const serverEnv = {
        GRIDKEY_CLIENT_TOKENS_PER_MINUTE: '1000000',
        // Budgets are not what is tested here (a 429 would only be ignored).
        GRIDKEY_REFRESH_GRANTS_PER_USER_PER_MINUTE: '1000000',
        GRIDKEY_PASSWORD_SCRYPT_LOG_N: '10',
        GRIDKEY_CLIENT_CACHE_TTL_SECONDS: '0',
      };
      const spawnServer = () =>
        // No optimising compiler: a server that lives a second would only pay for it.
        warmServeProcess(['--data-dir', dataDir, '--db', dbUrl, '--issuer', ISSUER], serverEnv, [
          '--no-opt',
        ]);
      const db = checker(target.kind, dbUrl);

      const families: Family[] = [];
      const accesses: Access[] = [];
      const feedJtis = new Set<string>();
      let feedCursor = '0';
      let url = '';

      // ---- the workload: requests whose answers may never arrive ----

      const tokenRequest = (who: 'cc' | 'app', form: Record<string, string>) =>
        post(`${url}/oauth2/token`, form, { authorization: auth[who] });

      const remember = (reply: Reply, client: 'cc' | 'app', family?: Family) => {
        const body = json(reply);
        const token = body.access_token as string;
        const access: Access = {
          jti: decodeJwt(token).jti as string,
          token,
          client,
          revoked: 'no',
          busy: false,
          ...(family === undefined ? {} : { family }),
        };
        accesses.push(access);
        return { access, refresh: body.refresh_token as string | undefined };
      };

      const operations: Record<string, () => Promise<void>> = {
        async clientCredentials() {
          const reply = await tokenRequest('cc', { grant_type: 'client_credentials' });
          if (reply?.status === 200) {
            count('ack client_credentials');
            remember(reply, 'cc');
          } else if (unexpected(reply))
            violations.push(`client_credentials: ${reply.status} ${reply.body}`);
        },
        async password() {
          const username = rng.pick(USERS) as string;
          const reply = await tokenRequest('app', {
            grant_type: 'password',
            username,
            password: PASSWORD,
          });
          if (reply?.status === 200) {
            count('ack password');
            const family: Family = {
              n: families.length,
              tokens: [],
              jtis: [],
              busy: false,
              revoked: 'no',
              headSpent: 'no',
            };
            const { access, refresh } = remember(reply, 'app', family);
            family.tokens.push(refresh as string);
            family.jtis.push(access.jti);
            families.push(family);
          } else if (unexpected(reply)) violations.push(`password: ${reply.status} ${reply.body}`);
        },
        async rotate() {
          const family = rng.pick(
            families.filter((f) => !f.busy && f.revoked === 'no' && f.headSpent === 'no'),
          );
          if (family === undefined) return operations.password?.();
          family.busy = true;
          const head = family.tokens.at(-1) as string;
          const reply = await tokenRequest('app', {
            grant_type: 'refresh_token',
            refresh_token: head,
          });
          if (reply?.status === 200) {
            count('ack rotation');
            const { access, refresh } = remember(reply, 'app', family);
            family.tokens.push(refresh as string);
            family.jtis.push(access.jti);
            family.busy = false;
            return;
          }
          if (unexpected(reply))
            violations.push(`rotation of a live head: ${reply.status} ${reply.body}`);
          family.headSpent = 'maybe';
        },
        async revokeFamily() {
          const family = rng.pick(families.filter((f) => !f.busy && f.revoked === 'no'));
          if (family === undefined) return;
          family.busy = true;
          const token = rng.pick(family.tokens) as string;
          const reply = await post(
            `${url}/oauth2/revoke`,
            { token, ...(rng.next() < 0.5 ? { token_type_hint: 'refresh_token' } : {}) },
            { authorization: auth.app },
          );
          if (reply?.status === 200) {
            count('ack family revocation');
            family.revoked = 'yes';
            family.busy = false;
            return;
          }
          if (unexpected(reply))
            violations.push(`family revocation: ${reply.status} ${reply.body}`);
          family.revoked = 'maybe';
        },
        async revokeAccess() {
          const access = rng.pick(accesses.filter((a) => !a.busy && a.revoked === 'no'));
          if (access === undefined) return;
          access.busy = true;
          const reply = await post(
            `${url}/oauth2/revoke`,
            {
              token: access.token,
              ...(rng.next() < 0.5 ? { token_type_hint: 'access_token' } : {}),
            },
            { authorization: auth[access.client] },
          );
          if (reply?.status === 200) {
            count('ack access-token revocation');
            access.revoked = 'yes';
            access.busy = false;
            return;
          }
          if (unexpected(reply))
            violations.push(`access revocation: ${reply.status} ${reply.body}`);
          access.revoked = 'maybe';
        },
        /** A spent token presented again: refused, and the family revoked before the answer. */
        async reuse() {
          const family = rng.pick(
            families.filter(
              (f) =>
                !f.busy && f.revoked === 'no' && (f.tokens.length > 1 || f.headSpent === 'yes'),
            ),
          );
          if (family === undefined) return;
          family.busy = true;
          const spent =
            family.headSpent === 'yes'
              ? (rng.pick(family.tokens) as string)
              : (family.tokens[rng.int(family.tokens.length - 1)] as string);
          const reply = await tokenRequest('app', {
            grant_type: 'refresh_token',
            refresh_token: spent,
          });
          if (reply?.status === 400 && json(reply).error === 'invalid_grant') {
            count('ack reuse detection');
            family.revoked = 'yes';
            family.busy = false;
            return;
          }
          if (unexpected(reply))
            violations.push(`reuse of a spent token: ${reply.status} ${reply.body}`);
          family.revoked = 'maybe';
        },
      };
      const weighted: [number, string][] = [
        [20, 'clientCredentials'],
        [14, 'password'],
        [36, 'rotate'],
        [8, 'revokeFamily'],
        [17, 'revokeAccess'],
        [5, 'reuse'],
      ];
      const total = weighted.reduce((s, [w]) => s + w, 0);
      const pickOperation = () => {
        let r = rng.next() * total;
        for (const [w, name] of weighted) {
          r -= w;
          if (r < 0) return name;
        }
        return 'rotate';
      };

      // ---- the checks ----

      /** With the server down: settle unknown outcomes from the database, then check it all. */
      const checkDatabase = async (iteration: number) => {
        await db.settle();
        const snap = await db.snapshot(violations);
        const where = `after kill ${iteration}`;
        for (const f of families) {
          const rows = f.tokens.map((t) => snap.refresh.get(hash(t)));
          if (rows.some((r) => r === undefined)) {
            violations.push(`${where}: family #${f.n} lost an acknowledged refresh token`);
            continue;
          }
          const ids = new Set(rows.map((r) => r?.family_id));
          if (ids.size !== 1)
            violations.push(`${where}: family #${f.n} spans ${ids.size} families`);
          const familyId = rows[0]?.family_id as string;
          f.dbFamilyId = familyId;
          const head = rows.at(-1);
          const members = snap.families.get(familyId);
          if (f.revoked === 'maybe') f.revoked = (members?.revoked ?? 0) > 0 ? 'yes' : 'no';
          if (f.headSpent === 'maybe') f.headSpent = head?.spent_at !== null ? 'yes' : 'no';
          f.busy = false;
          // The rotation chain: every acknowledged successor spent its predecessor.
          rows.slice(0, -1).forEach((r, i) => {
            if (r?.spent_at === null) {
              violations.push(
                `${where}: family #${f.n} token ${i} is unspent though its successor was issued`,
              );
            }
          });
          if (f.revoked === 'yes') {
            if (members?.revoked !== members?.rows) {
              violations.push(`${where}: revoked family #${f.n} has unrevoked members`);
            }
            for (const jti of f.jtis) {
              if (!snap.revokedJtis.has(jti)) {
                violations.push(
                  `${where}: access token ${jti} of revoked family #${f.n} is not revoked`,
                );
              }
            }
          } else {
            if ((members?.revoked ?? 0) > 0) {
              violations.push(`${where}: family #${f.n} was revoked though no revocation was sent`);
            }
            if (f.headSpent === 'no' && head?.spent_at !== null) {
              violations.push(
                `${where}: family #${f.n}'s acknowledged head is spent, no rotation sent`,
              );
            }
            if (f.headSpent === 'yes' && members?.live === 1) {
              const live = [...snap.refresh.values()].find(
                (r) => r.family_id === familyId && r.spent_at === null && r.revoked_at === null,
              );
              if (live !== undefined && f.tokens.some((t) => hash(t) === live.hash)) {
                violations.push(
                  `${where}: family #${f.n}'s live member is an acknowledged spent token`,
                );
              }
            }
          }
          for (const jti of f.jtis) {
            if (snap.derived.get(jti) !== familyId) {
              violations.push(
                `${where}: access token ${jti} of family #${f.n} is not recorded as derived`,
              );
            }
          }
        }
        for (const a of accesses) {
          if (a.revoked === 'maybe') a.revoked = snap.revokedJtis.has(a.jti) ? 'yes' : 'no';
          a.busy = false;
          const mustBeRevoked = a.revoked === 'yes' || a.family?.revoked === 'yes';
          if (mustBeRevoked && !snap.revokedJtis.has(a.jti)) {
            violations.push(`${where}: acknowledged revocation of ${a.jti} is lost`);
          }
          if (!mustBeRevoked && snap.revokedJtis.has(a.jti)) {
            violations.push(`${where}: ${a.jti} is revoked though no revocation was sent`);
          }
        }
      };

      const introspect = async (token: string, who: 'cc' | 'app') => {
        const reply = await post(
          `${url}/oauth2/introspect`,
          { token },
          { authorization: auth[who] },
        );
        if (reply?.status !== 200)
          throw new Error(`introspection failed: ${reply?.status} ${reply?.body}`);
        return json(reply).active === true;
      };

      /** With the server up: what it answers agrees (a sample each time, everything at the end). */
      const checkServer = async (label: string, everything: boolean) => {
        const sample = <T>(items: T[], n: number) =>
          everything
            ? items
            : [...items.slice(-n), ...Array.from({ length: n }, () => rng.pick(items) as T)];
        for (const a of sample(accesses, 1)) {
          if (a === undefined) continue;
          const expected = !(a.revoked === 'yes' || a.family?.revoked === 'yes');
          if ((await introspect(a.token, a.client)) !== expected) {
            violations.push(`${label}: access token ${a.jti} introspects active=${!expected}`);
          }
        }
        for (const f of sample(families, 1)) {
          if (f === undefined) continue;
          const headLive = f.revoked === 'no' && f.headSpent === 'no';
          const head = f.tokens.at(-1) as string;
          if ((await introspect(head, 'app')) !== headLive) {
            violations.push(`${label}: family #${f.n}'s head introspects active=${!headLive}`);
          }
          const spent = f.tokens.length > 1 ? f.tokens[rng.int(f.tokens.length - 1)] : undefined;
          if (spent !== undefined && (await introspect(spent, 'app'))) {
            violations.push(`${label}: a spent token of family #${f.n} introspects active`);
          }
        }
        // The revocation feed, read on from where this reader stopped, as a verifier does.
        for (;;) {
          const res = await fetch(`${url}/revocations?after=${feedCursor}`);
          const page = (await res.json()) as {
            revocations: { jti: string }[];
            next_cursor: string;
            has_more: boolean;
            reset?: boolean;
          };
          if (page.reset) violations.push(`${label}: the feed reset its cursor ${feedCursor}`);
          for (const r of page.revocations) feedJtis.add(r.jti);
          feedCursor = page.next_cursor;
          if (!page.has_more) break;
        }
        for (const a of accesses) {
          if ((a.revoked === 'yes' || a.family?.revoked === 'yes') && !feedJtis.has(a.jti)) {
            violations.push(`${label}: revoked access token ${a.jti} is not in GET /revocations`);
          }
        }
      };

      // ---- the loop: start, check, load, kill ----

      let next: WarmServeProcess = spawnServer();
      let iteration = 0;
      // Where the time goes, printed with the counts (a diagnostic, not a goal).
      const phaseMs: Record<string, number> = {};
      const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
        const t0 = performance.now();
        try {
          return await work();
        } finally {
          phaseMs[phase] = Math.round((phaseMs[phase] ?? 0) + performance.now() - t0);
        }
      };
      let server: WarmServeProcess | undefined;
      try {
        for (; iteration < ITERATIONS; iteration++) {
          server = next;
          try {
            url = await timed('start', () => (server as WarmServeProcess).start());
          } catch (err) {
            violations.push(`restart ${iteration} failed: ${(err as Error).message}`);
            break;
          }
          next = spawnServer();
          if (iteration > 0) {
            await timed('checkServer', () => checkServer(`after restart ${iteration}`, false));
          }
          if (violations.length > 0) break;

          // The kill: after a random number of answers in this run (so that
          // it lands among requests however slow the machine), and a random
          // delay more, while WORKERS requests are in flight.
          let stopping = false;
          const acksBefore = acknowledged;
          const killAfter = rng.int(MAX_ACKS_BEFORE_KILL + 1);
          const worker = async () => {
            while (!stopping) await operations[pickOperation()]?.();
          };
          const loadStarted = performance.now();
          const workers = Array.from({ length: WORKERS }, worker);
          for (
            let waited = 0;
            acknowledged - acksBefore < killAfter && waited < 5000;
            waited += 2
          ) {
            await new Promise((r) => setTimeout(r, 2));
          }
          await new Promise((r) => setTimeout(r, rng.next() * MAX_KILL_DELAY_MS));
          await server.kill();
          stopping = true;
          await Promise.all(workers);
          phaseMs.load = Math.round((phaseMs.load ?? 0) + performance.now() - loadStarted);
          count('kill');

          await timed('checkDatabase', () => checkDatabase(iteration));
          if (violations.length > 0) break;
        }
        // One last start: the server agrees with everything, every token asked.
        if (violations.length === 0) {
          server = next;
          url = await server.start();
          await checkServer('at the end', true);
          await server.kill();
          await checkDatabase(ITERATIONS);
        }
      } catch (err) {
        violations.push(`at kill ${iteration}: ${(err as Error).stack ?? String(err)}`);
      } finally {
        await server?.kill();
        await next.kill();
        await db.close();
        await cleanup();
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const cpu = process.cpuUsage();
      counts.workerCpuMs = Math.round((cpu.user + cpu.system) / 1000);
      console.log(
        `crash safety on ${target.kind}: seed ${seed}, ${iteration} kills in ${seconds}s, ` +
          `${families.length} families, ${accesses.length} access tokens; ${JSON.stringify(counts)}; ` +
          `ms by phase ${JSON.stringify(phaseMs)}`,
      );
      expect(
        violations.slice(0, 20),
        `crash safety on ${target.kind} failed at kill ${iteration}: reproduce with CRASH_SEED=${SEED}`,
      ).toEqual([]);
      expect(counts.kill).toBe(ITERATIONS);
    },
    TIMEOUT_MS,
  );
});
