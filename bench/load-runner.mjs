// Runs one autocannon load and prints a JSON summary on stdout. The harness starts this script
// as its own process under `taskset -c 1`, so the load generator is pinned to its own CPU.
import autocannon from 'autocannon';

const options = JSON.parse(process.env.BENCH_LOAD_OPTIONS);

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

const summary = {
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

process.stdout.write(`${JSON.stringify(summary)}\n`);
