// The soak's tables and goals: per-operation counts and latency, the sampled time series, and
// the pass/fail verdict on 5xx, memory, descriptors and database growth. No I/O.
import { fixed, percentile, table } from '../lib/goals.mjs';

const MB = 1024 * 1024;
// The shortest comparison window: at least a couple of samples at the default interval.
const SAMPLE_FLOOR_SECONDS = 20;

const mb = (bytes) => (typeof bytes === 'number' ? (bytes / MB).toFixed(1) : '-');

/** Per-operation figures without the raw latencies, for the table and the JSON. */
export function summariseOperations(stats, expected) {
  return Object.fromEntries(
    Object.entries(stats).map(([name, op]) => {
      const sorted = [...op.latenciesMs].sort((a, b) => a - b);
      const errorsByStatus = Object.fromEntries(
        Object.entries(op.statuses).filter(([status]) => Number(status) !== expected[name]),
      );
      const errors = op.requests - op.ok;
      return [
        name,
        {
          requests: op.requests,
          ok: op.ok,
          errors,
          statuses: op.statuses,
          errorsByStatus,
          transportErrors: op.transportErrors,
          skipped: op.skipped,
          overload: op.overload,
          harnessErrors: op.harnessErrors,
          errorSamples: op.errorSamples,
          latencyP50Ms: percentile(sorted, 0.5),
          latencyP99Ms: percentile(sorted, 0.99),
          latencyMaxMs: sorted.at(-1) ?? null,
        },
      ];
    }),
  );
}

function errorBreakdown(op, expected) {
  const parts = Object.entries(op.statuses)
    .filter(([status]) => Number(status) !== expected)
    .map(([status, count]) => `${status}×${count}`);
  for (const [code, count] of Object.entries(op.transportErrors)) parts.push(`${code}×${count}`);
  return parts.length === 0 ? '-' : parts.join(' ');
}

export function formatOperations(summary, rates, seconds, expected) {
  const header = [
    'operation',
    'rate/s',
    'requests',
    'errors',
    'errors by status',
    'skipped',
    'p50 ms',
    'p99 ms',
    'max ms',
  ];
  const rows = Object.entries(summary).map(([name, op]) => [
    name,
    rates[name],
    op.requests,
    op.errors,
    errorBreakdown(op, expected[name]),
    op.skipped + op.overload,
    fixed(op.latencyP50Ms),
    fixed(op.latencyP99Ms),
    fixed(op.latencyMaxMs),
  ]);
  const total = Object.values(summary).reduce(
    (sum, op) => ({ requests: sum.requests + op.requests, errors: sum.errors + op.errors }),
    { requests: 0, errors: 0 },
  );
  const totalRate = Object.values(rates).reduce((sum, rate) => sum + rate, 0);
  rows.push([
    'total',
    totalRate,
    total.requests,
    total.errors,
    '',
    '',
    '',
    '',
    `(${fixed(total.requests / seconds, 0)} req/s)`,
  ]);
  return table(header, rows, [0, 4]);
}

export function formatSamples(samples, processNames) {
  const header = [
    't s',
    ...processNames.flatMap((name) => [`${name} RSS MB`, `${name} fds`]),
    'db MB',
    'req/s',
  ];
  const rows = samples.map((sample, index) => {
    const previous = samples[index - 1];
    const rate =
      previous && sample.t > previous.t
        ? fixed((sample.requests - previous.requests) / (sample.t - previous.t), 0)
        : '-';
    return [
      sample.t,
      ...processNames.flatMap((name) => [
        mb(sample.processes[name]?.rssBytes),
        sample.processes[name]?.fds ?? '-',
      ]),
      mb(sample.databaseBytes),
      rate,
    ];
  });
  return table(header, rows, []);
}

/**
 * The goals. `limits`: rssGrowth (fraction), fdGrowth (descriptors), dbSteadyRateRatio and
 * dbToleranceBytes. Memory and descriptors are compared from a window starting at
 * `warmupSeconds` to a window of the same length at the end.
 */
export function evaluateGoals({
  summary,
  samples,
  nodeNames,
  seconds,
  warmupSeconds,
  steadySeconds,
  limits,
}) {
  const goals = [];
  const ops = Object.values(summary);
  const count5xx = ops.reduce(
    (sum, op) =>
      sum +
      Object.entries(op.statuses)
        .filter(([status]) => Number(status) >= 500)
        .reduce((total, [, n]) => total + n, 0),
    0,
  );
  goals.push({ goal: 'zero 5xx answers', measured: `${count5xx}`, pass: count5xx === 0 });
  const transport = ops.reduce(
    (sum, op) => sum + Object.values(op.transportErrors).reduce((total, n) => total + n, 0),
    0,
  );
  goals.push({
    goal: 'zero socket errors and timeouts',
    measured: `${transport}`,
    pass: transport === 0,
  });

  // Memory and descriptors: the most seen in a window right after the warm-up against the most
  // seen in a window of the same length at the end. Node's RSS is a sawtooth (the heap grows
  // until a major collection gives memory back), and pool connections and keep-alive sockets
  // come and go, so single samples would mostly measure the phase of the sawtooth; peaks that
  // keep rising are what a leak looks like.
  const last = samples.at(-1);
  const windowSeconds = Math.max(
    SAMPLE_FLOOR_SECONDS,
    Math.min(120, (seconds - warmupSeconds) / 3),
  );
  const first = samples.filter((s) => s.t >= warmupSeconds && s.t <= warmupSeconds + windowSeconds);
  const final = samples.filter((s) => s.t >= last.t - windowSeconds);
  const baseline = first[0] ?? last;
  const span = (list) => `t=${list[0]?.t ?? '-'}–${list.at(-1)?.t ?? '-'}s`;
  const maxOf = (list, pick) => {
    const values = list.map(pick).filter((value) => typeof value === 'number');
    return values.length === 0 ? null : Math.max(...values);
  };
  for (const name of nodeNames) {
    const alive = typeof last.processes[name]?.rssBytes === 'number';
    const rss = (sample) => sample.processes[name]?.rssBytes;
    const start = maxOf(first, rss);
    const end = maxOf(final, rss);
    const growth = alive && start && end !== null ? (end - start) / start : null;
    const plainStart = rss(baseline);
    const plainEnd = rss(last);
    goals.push({
      goal: `${name} RSS growth < ${limits.rssGrowth * 100} % (peak ${span(first)} → peak ${span(final)})`,
      measured:
        growth === null
          ? 'process gone'
          : `${mb(start)} → ${mb(end)} MB (${fixed(growth * 100)} %; ` +
            `t=${baseline.t}s → end: ${mb(plainStart)} → ${mb(plainEnd)})`,
      pass: growth !== null && growth < limits.rssGrowth,
      value: growth,
    });
    const fds = (sample) => sample.processes[name]?.fds;
    const fdStart = maxOf(first, fds);
    const fdEnd = maxOf(final, fds);
    goals.push({
      goal: `${name} descriptors flat (most open ${span(final)} ≤ most open ${span(first)} + ${limits.fdGrowth})`,
      measured: `${fdStart ?? '-'} → ${fdEnd ?? '-'} (${fds(baseline) ?? '-'} at t=${baseline.t}s, ${fds(last) ?? '-'} at the end)`,
      pass:
        alive &&
        typeof fdStart === 'number' &&
        typeof fdEnd === 'number' &&
        fdEnd - fdStart <= limits.fdGrowth,
      value: fdStart !== null && fdEnd !== null ? fdEnd - fdStart : null,
    });
  }

  // Until the longest retention in play has passed, the database fills up by design (what is
  // written is kept that long); from then on, pruning removes as much as the load writes.
  const startSample = samples[0];
  const steadyFrom = Math.min(steadySeconds, seconds - 60);
  const steady = samples.reduce((best, sample) =>
    Math.abs(sample.t - steadyFrom) < Math.abs(best.t - steadyFrom) ? sample : best,
  );
  const dbStart = startSample.databaseBytes;
  const dbSteady = steady.databaseBytes;
  const dbEnd = last.databaseBytes;
  const known = [dbStart, dbSteady, dbEnd].every((value) => typeof value === 'number');
  const filling = known ? dbSteady - dbStart : null;
  const afterwards = known ? dbEnd - dbSteady : null;
  // The same rate as while filling would grow this much over the steady window.
  const fillingRate = known && steady.t > 0 ? filling / steady.t : 0;
  const allowed = known
    ? Math.max(
        limits.dbToleranceBytes,
        limits.dbSteadyRateRatio * fillingRate * (last.t - steady.t),
      )
    : null;
  goals.push({
    goal:
      `database size flat once pruning keeps up: growth t=${steady.t}s→${last.t}s ≤ ` +
      `max(${mb(limits.dbToleranceBytes)} MB, ${limits.dbSteadyRateRatio} × the rate of t=0→${steady.t}s)`,
    measured: known
      ? `${mb(dbStart)} → ${mb(dbSteady)} → ${mb(dbEnd)} MB (+${mb(filling)}, then +${mb(afterwards)})`
      : 'size unknown',
    pass: known && afterwards <= allowed,
  });
  return {
    goals,
    database: {
      startBytes: dbStart,
      steadyBytes: dbSteady,
      endBytes: dbEnd,
      filling,
      afterwards,
    },
    baselineT: baseline.t,
  };
}

/** The goals printed with ✗: any of them makes the exit code 1. */
export function missedGoals(goals) {
  return goals.filter((goal) => !goal.pass);
}

export function formatGoals(goals) {
  return table(
    ['goal', 'measured', 'result'],
    goals.map(({ goal, measured, pass }) => [goal, measured, pass ? '✓ pass' : '✗ FAIL']),
    [0, 1, 2],
  );
}

/** Tables whose size or row count changed between the two snapshots, largest growth first. */
export function formatTables(before, after) {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const rows = names
    .map((name) => {
      const start = before[name] ?? { bytes: 0, rows: 0 };
      const end = after[name] ?? { bytes: 0, rows: 0 };
      return { name, start, end, grown: end.bytes - start.bytes };
    })
    .filter(({ start, end }) => start.bytes !== end.bytes || start.rows !== end.rows)
    .sort((a, b) => b.grown - a.grown)
    .map(({ name, start, end }) => [
      name,
      mb(start.bytes),
      mb(end.bytes),
      start.rows,
      end.rows,
      end.rows - start.rows,
    ]);
  if (rows.length === 0) return 'no table changed size or row count';
  return table(['table', 'MB start', 'MB end', 'rows start', 'rows end', 'rows +'], rows);
}
