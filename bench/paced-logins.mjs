// Sends password-grant logins at a fixed rate for a fixed time, whatever the server does (an
// open loop: a slow answer does not slow the next request down), and prints a JSON summary on
// stdout. The harness starts it as its own process pinned to the load CPU, next to autocannon.
const options = JSON.parse(process.env.BENCH_LOGIN_OPTIONS);
const intervalMs = 1000 / options.perSecond;
// A login still unanswered after this long counts as a timeout (the server must never hang).
const TIMEOUT_MS = 10_000;

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
      signal: AbortSignal.timeout(TIMEOUT_MS),
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
  const next = start + sent * intervalMs;
  const wait = next - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
await Promise.all(pending);

const sorted = latenciesMs.sort((a, b) => a - b);
const percentile = (p) =>
  sorted.length === 0
    ? null
    : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
process.stdout.write(
  `${JSON.stringify({
    sent,
    seconds: options.seconds,
    statusCodes,
    ok: statusCodes[200] ?? 0,
    timeouts,
    errors,
    missingRetryAfter,
    okLatencyP50Ms: percentile(0.5),
    okLatencyP99Ms: percentile(0.99),
  })}\n`,
);
