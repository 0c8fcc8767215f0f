// The `gridkey-logins` scenario: gridkey's client_credentials p99 alone, and with a paced load of
// password-grant logins (20 a second by default) running beside it, against the same server.
// The logins hash a password with scrypt each; the goal is that they do not starve the token
// endpoint (goals.mjs). Runs alternate (alone, with logins, with logins, alone, …) so slow
// drift on a shared machine hits both sides alike; the medians are reported.
import { setTimeout as sleep } from 'node:timers/promises';
import { positiveNumber } from './config.mjs';
import { contentionResult } from './goals.mjs';
import { gridkeyCli, gridkeyTarget } from './gridkey.mjs';
import { buildTokenRequest, checkTokenResponse, runLoad, runPacedLogins } from './load.mjs';
import { findFreePort } from './processes.mjs';
import { startPrepared } from './targets.mjs';

const USER_EMAIL = 'bench-user@example.com';
const USER_PASSWORD = 'correct horse battery staple';
// The scenario must stay within a minute; setup (3 CLI runs, start, checks) takes a few seconds.
const BUDGET_SECONDS = 60;
const SETUP_SECONDS = 8;
// The logins start this long before the client_credentials run, and end this long after it.
const LOGIN_LEAD_SECONDS = 0.5;

// Every login is for one user from one address, many at a time. gridkey reserves a failure from
// each password budget before it checks a password (docs/profiles/net2grid.md), so at 20 a second
// the reservations in flight would pass the per-username budget (10) and the logins be throttled
// as a guessing attack: the budgets are lifted here, this scenario measures the hashing.
const LIFTED_BUDGETS = {
  GRIDKEY_PASSWORD_FAILURES_PER_USERNAME: '100000',
  GRIDKEY_PASSWORD_FAILURES_PER_ADDRESS: '100000',
  GRIDKEY_PASSWORD_FAILURES_PER_USERNAME_PER_ADDRESS: '100000',
};

/** Seconds per run and runs, cut down so the whole scenario fits in BUDGET_SECONDS. */
function contentionPlan(config) {
  const runs = config.runs;
  const perRunOverhead = 2 * LOGIN_LEAD_SECONDS + 1;
  const wanted = positiveNumber('BENCH_CONTENTION_SECONDS', 5);
  const room = (BUDGET_SECONDS - SETUP_SECONDS - config.warmupSeconds) / runs;
  const seconds = Math.max(1, Math.min(wanted, Math.floor((room - perRunOverhead) / 2)));
  return {
    runs,
    seconds,
    loginsPerSecond: positiveNumber('BENCH_LOGINS_PER_SECOND', 20),
    plannedSeconds: SETUP_SECONDS + config.warmupSeconds + runs * (2 * seconds + perRunOverhead),
  };
}

function passwordRequest(url, client) {
  const { headers } = buildTokenRequest({
    url,
    clientId: client.client_id,
    clientSecret: client.client_secret,
  });
  const body = new URLSearchParams({
    grant_type: 'password',
    username: USER_EMAIL,
    password: USER_PASSWORD,
  });
  return { url, headers, body: body.toString() };
}

async function withLogins(ccRequest, loginRequest, plan, config) {
  const pacer = runPacedLogins(loginRequest, {
    cpu: config.loadCpu,
    perSecond: plan.loginsPerSecond,
    seconds: plan.seconds + 2 * LOGIN_LEAD_SECONDS,
  });
  await sleep(LOGIN_LEAD_SECONDS * 1000);
  const cc = await runLoad(ccRequest, {
    cpu: config.loadCpu,
    connections: config.connections,
    seconds: plan.seconds,
  });
  return { cc, logins: await pacer };
}

/** The usual gridkey target plus a client allowed the password grant and one user. */
async function prepareScenario(port) {
  const prepared = await gridkeyTarget({ extraClients: 9, env: LIFTED_BUDGETS }).prepare(port);
  try {
    const dataDir = prepared.dataDir;
    const loginClient = await gridkeyCli(
      ['client', 'create', '--name', 'bench-logins', '--grants', 'password'],
      { dataDir },
    );
    await gridkeyCli(['user', 'create', '--email', USER_EMAIL, '--password-stdin'], {
      dataDir,
      input: `${USER_PASSWORD}\n`,
    });
    return { prepared, loginClient };
  } catch (error) {
    await prepared.cleanup();
    throw error;
  }
}

export async function runPasswordContention(name, config, log) {
  const plan = contentionPlan(config);
  log(
    `${plan.runs} × (${plan.seconds}s alone + ${plan.seconds}s beside ${plan.loginsPerSecond} ` +
      `logins/s), ~${Math.round(plan.plannedSeconds)}s in all`,
  );
  const port = await findFreePort();
  const { prepared, loginClient } = await prepareScenario(port);
  const server = await startPrepared(name, prepared, port, config, log);
  try {
    const ccRequest = buildTokenRequest({ url: server.url, ...prepared.credentials });
    await checkTokenResponse(ccRequest);
    const loginRequest = passwordRequest(server.url, loginClient);
    const check = await fetch(server.url, {
      method: 'POST',
      ...loginRequest,
      signal: AbortSignal.timeout(10_000),
    });
    const checkBody = await check.text();
    if (check.status !== 200)
      throw new Error(`password login answered ${check.status}: ${checkBody.slice(0, 300)}`);
    log('token check ok, password login ok');

    log(`warm-up ${config.warmupSeconds}s`);
    const load = { cpu: config.loadCpu, connections: config.connections };
    await runLoad(ccRequest, { ...load, seconds: config.warmupSeconds });
    const alone = [];
    const beside = [];
    const logins = [];
    for (let run = 1; run <= plan.runs; run += 1) {
      // Odd runs: alone first; even runs: with logins first.
      const order = run % 2 === 1 ? ['alone', 'beside'] : ['beside', 'alone'];
      for (const side of order) {
        if (side === 'alone') {
          alone.push(await runLoad(ccRequest, { ...load, seconds: plan.seconds }));
        } else {
          const result = await withLogins(ccRequest, loginRequest, plan, config);
          beside.push(result.cc);
          logins.push(result.logins);
        }
      }
      const [a, b, l] = [alone.at(-1), beside.at(-1), logins.at(-1)];
      log(
        `run ${run}/${plan.runs}: alone ${Math.round(a.requestsPerSecond)} req/s p99 ${a.latencyP99Ms} ms; ` +
          `beside logins ${Math.round(b.requestsPerSecond)} req/s p99 ${b.latencyP99Ms} ms; ` +
          `logins ${JSON.stringify(l.statusCodes)} of ${l.sent}`,
      );
    }
    return contentionResult({ plan, alone, beside, logins });
  } finally {
    await server.stop();
  }
}
