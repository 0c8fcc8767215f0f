// The password-contention scenario: gridkey's client_credentials p99 alone, and with a paced load
// of password-grant logins (20 a second by default) running beside it, against the same server.
// The logins hash a password with scrypt each; the goal is that they do not starve the token
// endpoint (bench/goals.mjs). Runs alternate (alone, with logins, with logins, alone, …) so slow
// drift on a shared machine hits both sides alike; the medians are reported.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { positiveNumber } from './config.mjs';
import { findFreePort } from './free-port.mjs';
import { gridkeyTarget, parseCreatedClient, runGridkeyCli } from './gridkey-target.mjs';
import { median, runLoad } from './measure.mjs';
import { checkTokenResponse } from './preflight.mjs';
import { jsonResultOf, spawnPinned, stopProcess } from './processes.mjs';
import { startServer } from './run-target.mjs';
import { onInterrupt } from './shutdown.mjs';
import { buildTokenRequest } from './token-request.mjs';
import { waitUntilReady } from './wait-ready.mjs';

const pacerPath = fileURLToPath(new URL('./paced-logins.mjs', import.meta.url));
const USER_EMAIL = 'bench-user@example.com';
const USER_PASSWORD = 'correct horse battery staple';
// The scenario must stay within a minute; setup (3 CLI runs, start, checks) takes a few seconds.
const BUDGET_SECONDS = 60;
const SETUP_SECONDS = 8;
// The logins start this long before the client_credentials run, and end this long after it.
const LOGIN_LEAD_SECONDS = 0.5;

/** Seconds per run and runs, cut down so the whole scenario fits in BUDGET_SECONDS. */
export function contentionPlan(config) {
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
  const basic = buildTokenRequest({
    url,
    clientId: client.client_id,
    clientSecret: client.client_secret,
  });
  return {
    url,
    headers: basic.headers,
    body: new URLSearchParams({
      grant_type: 'password',
      username: USER_EMAIL,
      password: USER_PASSWORD,
    }).toString(),
  };
}

function runPacer(request, { cpu, perSecond, seconds }) {
  const child = spawnPinned(cpu, [pacerPath], {
    env: { BENCH_LOGIN_OPTIONS: JSON.stringify({ ...request, perSecond, seconds }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The pacer waits at most 10 s for its last answers.
  return jsonResultOf(child, 'login pacer', (seconds + 15) * 1000);
}

async function withLogins(ccRequest, loginRequest, plan, config) {
  const pacer = runPacer(loginRequest, {
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

function summarise(runs) {
  return {
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    latencyP50Ms: median(runs.map((run) => run.latencyP50Ms)),
    latencyP99Ms: median(runs.map((run) => run.latencyP99Ms)),
    non2xx: runs.reduce((total, run) => total + run.non2xx, 0),
    errors: runs.reduce((total, run) => total + run.errors, 0),
  };
}

function summariseLogins(runs, plan) {
  const statusCodes = {};
  for (const run of runs) {
    for (const [code, count] of Object.entries(run.statusCodes)) {
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
    }
  }
  const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
  const loginSeconds = runs.reduce((total, run) => total + run.seconds, 0);
  // Only a login, a 429 or a 503 (both with Retry-After) is an acceptable answer under load.
  const unexpected = Object.entries(statusCodes)
    .filter(([code]) => !['200', '429', '503'].includes(code))
    .reduce((total, [, count]) => total + count, 0);
  return {
    offeredPerSecond: plan.loginsPerSecond,
    sent: sum('sent'),
    okPerSecond: sum('ok') / loginSeconds,
    statusCodes,
    unexpected,
    missingRetryAfter: sum('missingRetryAfter'),
    timeouts: sum('timeouts'),
    errors: sum('errors'),
    okLatencyP50Ms: median(runs.map((run) => run.okLatencyP50Ms ?? 0)),
    okLatencyP99Ms: median(runs.map((run) => run.okLatencyP99Ms ?? 0)),
  };
}

// Every login is for one user from one address, many at a time. gridkey reserves a failure from
// each password budget before it checks a password (docs/profiles/net2grid.md), so at 20 a second
// the reservations in flight would pass the per-username budget (10) and the logins be throttled
// as a guessing attack: the budgets are lifted here, this scenario measures the hashing.
const LIFTED_BUDGETS = {
  GRIDKEY_PASSWORD_FAILURES_PER_USERNAME: '100000',
  GRIDKEY_PASSWORD_FAILURES_PER_ADDRESS: '100000',
  GRIDKEY_PASSWORD_FAILURES_PER_USERNAME_PER_ADDRESS: '100000',
};

async function prepareScenario(port) {
  const prepared = await gridkeyTarget({ extraClients: 9, env: LIFTED_BUDGETS }).prepare(port);
  try {
    const common = ['--data-dir', prepared.dataDir, '--json'];
    const loginClient = parseCreatedClient(
      await runGridkeyCli([
        'client',
        'create',
        '--name',
        'bench-logins',
        '--grants',
        'password',
        ...common,
      ]),
    );
    await runGridkeyCli(['user', 'create', '--email', USER_EMAIL, '--password-stdin', ...common], {
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
  const forgetCleanup = onInterrupt(prepared.cleanup);
  let server;
  try {
    const origin = `http://127.0.0.1:${port}`;
    server = startServer(name, prepared, config.serverCpu);
    log(`started on ${origin} (pid ${server.child.pid}, log ${server.logPath})`);
    await waitUntilReady(`${origin}${prepared.readyPath}`, server.child);
    const url = `${origin}${prepared.tokenPath}`;
    const ccRequest = buildTokenRequest({ url, ...prepared.credentials });
    await checkTokenResponse(ccRequest);
    const loginRequest = passwordRequest(url, loginClient);
    const check = await fetch(url, {
      method: 'POST',
      ...loginRequest,
      signal: AbortSignal.timeout(10_000),
    });
    const checkBody = await check.text();
    if (check.status !== 200)
      throw new Error(`password login answered ${check.status}: ${checkBody.slice(0, 300)}`);
    log('token check ok, password login ok');

    log(`warm-up ${config.warmupSeconds}s`);
    await runLoad(ccRequest, {
      cpu: config.loadCpu,
      connections: config.connections,
      seconds: config.warmupSeconds,
    });
    const alone = [];
    const beside = [];
    const logins = [];
    const load = { cpu: config.loadCpu, connections: config.connections, seconds: plan.seconds };
    for (let run = 1; run <= plan.runs; run += 1) {
      // Odd runs: alone first; even runs: with logins first.
      const order = run % 2 === 1 ? ['alone', 'beside'] : ['beside', 'alone'];
      for (const side of order) {
        if (side === 'alone') {
          alone.push(await runLoad(ccRequest, load));
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
    const aloneSummary = summarise(alone);
    const besideSummary = summarise(beside);
    const loginSummary = summariseLogins(logins, plan);
    return {
      plan,
      alone: aloneSummary,
      withLogins: besideSummary,
      logins: loginSummary,
      p99Ratio: besideSummary.latencyP99Ms / aloneSummary.latencyP99Ms,
      // For isClean: any non-2xx token response, any login answer other than 200/429/503 with
      // Retry-After, and any error or timeout make the scenario invalid.
      non2xx:
        aloneSummary.non2xx +
        besideSummary.non2xx +
        loginSummary.unexpected +
        loginSummary.missingRetryAfter,
      errors:
        aloneSummary.errors + besideSummary.errors + loginSummary.errors + loginSummary.timeouts,
      runs: { alone, withLogins: beside, logins },
    };
  } finally {
    if (server) await stopProcess(server.child);
    await prepared.cleanup();
    forgetCleanup();
  }
}
