// Entry point of `npm run soak`: a fixed, paced mix of token traffic against two gridkey nodes
// that share one throwaway PostgreSQL cluster and one redis-server, for SOAK_SECONDS (default
// 10 minutes), sampling memory, descriptors and database size, then a pass/fail verdict on
// leaks and growth; exits 1 when a goal printed as ✗ is missed. See bench/README.md ("Soak").
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, positiveNumber, writeResults } from '../lib/config.mjs';
import {
  installShutdownHandlers,
  onInterrupt,
  stopAllProcesses,
  stopProcess,
} from '../lib/processes.mjs';
import { createStats, runLoad, startSampling, totalRequests } from './load.mjs';
import { createFixtures, startNode } from './nodes.mjs';
import {
  createAgent,
  createState,
  EXPECTED_STATUS,
  OPERATIONS,
  passwordLogin,
} from './operations.mjs';
import {
  evaluateGoals,
  formatGoals,
  formatOperations,
  formatSamples,
  formatTables,
  missedGoals,
  summariseOperations,
} from './report.mjs';
import { connectDatabase, startPostgres, startRedis } from './services.mjs';

// ─── Settings ──────────────────────────────────────────────────────────────────────────────────

const SECONDS = positiveNumber('SOAK_SECONDS', 600);
const SAMPLE_SECONDS = positiveNumber('SOAK_SAMPLE_SECONDS', 10);
// Memory and descriptors are compared from a window after this to a window at the end.
const WARMUP_SECONDS = Math.min(60, SECONDS / 4);

// Requests per second of each operation, fixed for the whole run and spread over both nodes
// (148 req/s in all: well within two shared cores with PostgreSQL, Redis and the load).
// `password` and `revoke_refresh` are equal so that the pool of refresh sessions stays the same
// size: each login starts a session, each refresh-token revocation ends one. password logins
// are scrypt (N = 2^15), about 100 ms of CPU each: keep them rare, as real ones are.
const RATES = {
  client_credentials: 50,
  password: 1,
  refresh: 6,
  exchange: 20,
  introspect: 50,
  revoke_access: 20,
  revoke_refresh: 1,
};

// Lifetimes short enough that what the load writes (revocations, derived-token records)
// expires within the run and can be pruned: the clients' access tokens live ACCESS_TOKEN_TTL
// seconds (the minimum is lowered to allow it); Enectiva exchange tokens live 300 s anyway.
const ACCESS_TOKEN_TTL = 120;
// A user may refresh refreshGrantsPerUserPerMinute (30) times a minute over all their sessions:
// one session per user, USERS of them, keep each at about half of that.
const USERS = Math.ceil((RATES.refresh * 60) / 15) + 4;
const INITIAL_SESSIONS = USERS - 4;
// Each login token may be exchanged 60 times a minute (loginExchangeSuccessesPerMinute);
// this many share the exchange rate at three quarters of that budget each.
const LOGIN_TOKENS = Math.max(1, Math.ceil(RATES.exchange / 0.75));

// ─── Pruner settings ───────────────────────────────────────────────────────────────────────────
// Both nodes (and the CLI that makes the fixtures) get PRUNER_ENV in their environment; the
// nodes get PRUNER_FLAGS after `gridkey serve ...`. SOAK_NODE_ENV='{"GRIDKEY_…":"…"}' adds to
// PRUNER_ENV for one run without editing this file. Spent refresh tokens are kept for the
// shortest retention allowed (300 s, less than the run lasts), so that their pruning shows in
// it; the pruner runs every 30 s instead of 60 s. Everything else is the defaults.
const PRUNER_ENV = {
  GRIDKEY_PRUNE_INTERVAL_SECONDS: '30',
  GRIDKEY_SPENT_REFRESH_TOKEN_RETENTION_SECONDS: '300',
};
const PRUNER_FLAGS = [];

// The database fills until the longest-kept rows the load writes start to go: feed events of a
// revoked access token stay 300 s past its exp (FEED_GRACE_SECONDS), spent refresh tokens the
// retention above, and the pruner comes by every 30 s. From then on it must stay flat.
const STEADY_SECONDS = Math.max(ACCESS_TOKEN_TTL + 300, 300) + 30 + 2 * SAMPLE_SECONDS;

// ─── Goals ─────────────────────────────────────────────────────────────────────────────────────
const LIMITS = {
  // Peak RSS of each node in the last window (a third of the run after the warm-up, at most
  // 120 s) against the peak in the window right after the warm-up: < 10 % more
  rssGrowth: 0.1,
  // Most open descriptors of each node, same windows: at most this many more (the database
  // pool's 10 connections and 16 keep-alive sockets open and close with the load)
  fdGrowth: 10,
  // Database growth in the second half at most this share of the first half's growth, or
  // dbToleranceBytes (PostgreSQL grows files a page or a segment at a time).
  dbSteadyRateRatio: 0.2,
  dbToleranceBytes: 1024 * 1024,
};

// ───────────────────────────────────────────────────────────────────────────────────────────────

const NODE_NAMES = ['node-a', 'node-b'];
const DATABASE = 'gridkey_soak';

function extraNodeEnv() {
  const raw = process.env.SOAK_NODE_ENV;
  if (!raw) return {};
  const parsed = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('SOAK_NODE_ENV must be a JSON object of environment variables');
  }
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, `${value}`]));
}

async function createDatabase(clusterUrl) {
  const admin = await connectDatabase(`${clusterUrl}/postgres`);
  try {
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.close();
  }
  return `${clusterUrl}/${DATABASE}`;
}

function printRates(log) {
  const total = Object.values(RATES).reduce((sum, rate) => sum + rate, 0);
  log(`rates (req/s, fixed, alternating between ${NODE_NAMES.join(' and ')}), ${total} in all:`);
  for (const [name, rate] of Object.entries(RATES)) {
    log(`  ${name.padEnd(18)} ${String(rate).padStart(3)}  ${OPERATIONS[name].describe}`);
  }
}

// Password logins (scrypt) two at a time, one per node.
async function startSessions(state, nodes, count) {
  for (let index = 0; index < count; index += nodes.length) {
    const logins = nodes.slice(0, count - index).map((node) => passwordLogin(state, node));
    for (const outcome of await Promise.all(logins)) {
      if (outcome.status !== 200) {
        throw new Error(
          `password login answered ${outcome.status ?? outcome.error}: ${outcome.body?.slice(0, 300)}`,
        );
      }
    }
  }
}

async function main(cleanups) {
  installShutdownHandlers();
  const log = (message) => console.log(`[soak] ${message}`);
  log(
    `${SECONDS} s of mixed load on 2 gridkey nodes + PostgreSQL + Redis, sampled every ` +
      `${SAMPLE_SECONDS} s; warm-up ${WARMUP_SECONDS} s`,
  );
  printRates(log);
  const nodeEnvExtra = { ...PRUNER_ENV, ...extraNodeEnv() };
  if (Object.keys(nodeEnvExtra).length > 0 || PRUNER_FLAGS.length > 0) {
    log(
      `pruner settings: env ${JSON.stringify(nodeEnvExtra)}, flags ${JSON.stringify(PRUNER_FLAGS)}`,
    );
  } else {
    log('pruner settings: none (edit PRUNER_ENV / PRUNER_FLAGS in bench/soak/run.mjs)');
  }

  const workDir = mkdtempSync(join(tmpdir(), 'gridkey-soak-'));
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  onInterrupt(removeWorkDir);
  cleanups.push(removeWorkDir);

  const postgres = await startPostgres();
  cleanups.push(postgres.stop);
  const databaseUrl = await createDatabase(postgres.url);
  const redis = await startRedis();
  cleanups.push(redis.stop);
  log(`PostgreSQL ${databaseUrl} (log ${postgres.logPath}), Redis ${redis.url}`);

  const commonEnv = {
    GRIDKEY_DB: databaseUrl,
    GRIDKEY_REDIS_URL: redis.url,
    // Several nodes on one database must share the master key.
    GRIDKEY_MASTER_KEY: randomBytes(32).toString('hex'),
    GRIDKEY_ACCESS_TOKEN_MIN_TTL_SECONDS: '60',
    ...nodeEnvExtra,
  };
  const fixturesDir = join(workDir, 'cli');
  mkdirSync(fixturesDir);
  const setupStarted = Date.now();
  const fixtures = await createFixtures({
    env: commonEnv,
    dataDir: fixturesDir,
    users: USERS,
    loginTokens: LOGIN_TOKENS,
    accessTokenTtl: ACCESS_TOKEN_TTL,
  });
  log(
    `fixtures: 3 clients, ${USERS} users, ${LOGIN_TOKENS} login tokens ` +
      `(${((Date.now() - setupStarted) / 1000).toFixed(0)} s)`,
  );

  // Both nodes share any CPU: on two cores pinning them apart would only move the contention.
  const issuer = 'http://gridkey-soak.invalid';
  const nodes = [];
  for (const name of NODE_NAMES) {
    const dataDir = join(workDir, name);
    mkdirSync(dataDir);
    const node = await startNode(name, {
      env: commonEnv,
      dataDir,
      issuer,
      flags: PRUNER_FLAGS,
      cpu: '0-1',
    });
    node.agent = createAgent();
    nodes.push(node);
    cleanups.push(() => stopProcess(node.child));
    log(`${name} on ${node.url} (pid ${node.pid}, stderr ${node.logPath})`);
  }

  const state = createState(fixtures);
  await startSessions(state, nodes, INITIAL_SESSIONS);
  log(`${INITIAL_SESSIONS} refresh sessions started`);

  const database = await connectDatabase(databaseUrl);
  cleanups.push(() => database.close());
  const tablesBefore = await database.tables();
  const stats = createStats(RATES);
  const startedAt = Date.now();
  const processes = Object.fromEntries(nodes.map((node) => [node.name, node.pid]));
  processes.redis = redis.pid;
  const sampler = startSampling(
    { startedAt, processes, database, requests: () => totalRequests(stats) },
    SAMPLE_SECONDS,
    (sample) => {
      const parts = Object.entries(sample.processes).map(
        ([name, p]) =>
          `${name} ${p.rssBytes === null ? '-' : (p.rssBytes / 1048576).toFixed(1)} MB/${p.fds ?? '-'} fds`,
      );
      const db = sample.databaseBytes === null ? '-' : (sample.databaseBytes / 1048576).toFixed(1);
      log(`t=${sample.t}s  ${parts.join('  ')}  db ${db} MB  ${sample.requests} requests`);
    },
  );
  await sampler.first;
  await runLoad({ rates: RATES, seconds: SECONDS, nodes, state, stats, log });
  const samples = await sampler.stop();
  const tablesAfter = await database.tables();

  const summary = summariseOperations(stats, EXPECTED_STATUS);
  const processNames = Object.keys(processes);
  console.log(`\n${formatOperations(summary, RATES, SECONDS, EXPECTED_STATUS)}\n`);
  console.log(
    `refresh sessions: ${state.sessions.length} at the end, ${state.sessionsLost} lost to a ` +
      `failed refresh; introspection: ${state.introspectedActive} active, ` +
      `${state.introspectedInactive} inactive (revoked or expired)\n`,
  );
  console.log(`${formatSamples(samples, processNames)}\n`);
  const verdict = evaluateGoals({
    summary,
    samples,
    nodeNames: NODE_NAMES,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    steadySeconds: STEADY_SECONDS,
    limits: LIMITS,
  });
  const mb = (bytes) => (typeof bytes === 'number' ? (bytes / 1048576).toFixed(1) : '-');
  console.log(
    `database size: ${mb(verdict.database.startBytes)} MB at the start, ` +
      `${mb(verdict.database.endBytes)} MB at the end\n`,
  );
  console.log(`${formatTables(tablesBefore, tablesAfter)}\n`);
  console.log(`${formatGoals(verdict.goals)}\n`);
  if (SECONDS < 600) {
    console.log(
      'note: a run shorter than 600 s is still filling the database in its second half ' +
        '(exchange tokens live 300 s), so the database goal is indicative only.\n',
    );
  }
  const warnings = Object.entries(summary).filter(
    ([, op]) => op.errors > 0 || op.overload > 0 || op.harnessErrors > 0,
  );
  for (const [name, op] of warnings) {
    log(
      `warning: ${name}: ${op.errors} unexpected answers, ${op.overload} not sent (over ` +
        `64 in flight), ${op.harnessErrors} harness errors`,
    );
    for (const [status, body] of Object.entries(op.errorSamples)) {
      log(`  first ${status}: ${body}`);
    }
  }

  const resultsPath = writeResults('soak-latest.json', {
    date: new Date().toISOString(),
    machine: machine(),
    config: {
      seconds: SECONDS,
      sampleSeconds: SAMPLE_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      rates: RATES,
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL,
      users: USERS,
      loginTokens: LOGIN_TOKENS,
      initialSessions: INITIAL_SESSIONS,
      prunerEnv: nodeEnvExtra,
      prunerFlags: PRUNER_FLAGS,
      limits: LIMITS,
    },
    operations: summary,
    sessions: {
      atEnd: state.sessions.length,
      lost: state.sessionsLost,
      introspectedActive: state.introspectedActive,
      introspectedInactive: state.introspectedInactive,
    },
    samples,
    database: { ...verdict.database, tablesBefore, tablesAfter },
    goals: verdict.goals,
  });
  log(`results written to ${resultsPath}`);
  const missed = missedGoals(verdict.goals);
  if (missed.length > 0) {
    log(`${missed.length} goal(s) missed: exit code 1`);
    process.exitCode = 1;
  }
}

const cleanups = [];
try {
  await main(cleanups);
} catch (error) {
  console.error(`soak: ${error.stack ?? error.message}`);
  process.exitCode = 1;
} finally {
  // Nodes first (they hold database connections), then the sampler's connection, Redis,
  // PostgreSQL and the temporary directories: the reverse of the order they were made in.
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`soak: cleanup: ${error.message}`);
    }
  }
  await stopAllProcesses();
}
