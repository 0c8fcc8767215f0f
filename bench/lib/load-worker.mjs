// A load generator in its own process (load.mjs starts it under `taskset -c 1`, so it never
// competes with the server for a core). BENCH_LOAD_OPTIONS says what to send; it prints one JSON
// summary on stdout:
// - kind `autocannon`: the closed-loop load of a measured run;
// - kind `logins`: password logins at a fixed rate for a fixed time, whatever the server does
//   (open loop: a slow answer does not slow the next request down).
import { percentile } from './goals.mjs';

// A login still unanswered after this long counts as a timeout (the server must never hang).
const LOGIN_TIMEOUT_MS = 10_000;

async function autocannonLoad(options) {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url: options.url,
    method: options.method,
    headers: options.headers,
    body: options.body,
    connections: options.connections,
    // Requests in flight per connection (autocannon's default is 1).
    pipelining: options.pipelining ?? 1,
    duration: options.seconds,
    // A response slower than this counts as a timeout instead of stalling a connection.
    timeout: 10,
  });
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
    ),
    durationSeconds: result.duration,
  };
}

async function pacedLogins(options) {
  const intervalMs = 1000 / options.perSecond;
  const statusCodes = {};
  const latenciesMs = [];
  let sent = 0;
  let timeouts = 0;
  let errors = 0;
  let missingRetryAfter = 0;

  async function login() {
    const started = performance.now();
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: options.headers,
        body: options.body,
        signal: AbortSignal.timeout(LOGIN_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
      if (
        (response.status === 429 || response.status === 503) &&
        !response.headers.get('retry-after')
      ) {
        missingRetryAfter += 1;
      }
      if (response.status === 200) latenciesMs.push(performance.now() - started);
    } catch (error) {
      if (error?.name === 'TimeoutError') timeouts += 1;
      else errors += 1;
    }
  }

  const pending = [];
  const start = performance.now();
  const end = start + options.seconds * 1000;
  // Each send is scheduled against the start time, so timer drift does not lower the rate.
  while (performance.now() < end) {
    pending.push(login());
    sent += 1;
    const wait = start + sent * intervalMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await Promise.all(pending);

  const sorted = latenciesMs.sort((a, b) => a - b);
  return {
    sent,
    seconds: options.seconds,
    statusCodes,
    ok: statusCodes[200] ?? 0,
    timeouts,
    errors,
    missingRetryAfter,
    okLatencyP50Ms: percentile(sorted, 0.5),
    okLatencyP99Ms: percentile(sorted, 0.99),
  };
}

const options = JSON.parse(process.env.BENCH_LOAD_OPTIONS);
const summary =
  options.kind === 'logins' ? await pacedLogins(options) : await autocannonLoad(options);
process.stdout.write(`${JSON.stringify(summary)}\n`);
