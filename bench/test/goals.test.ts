// The bench's arithmetic with made-up figures: medians, percentiles, ratios, which goal passes
// and which fails, the tables, and which goals make a run exit non-zero.
import { describe, expect, it } from 'vitest';
import {
  contentionResult,
  evaluateGoals,
  evaluateVerifyGoals,
  formatGoals,
  formatVerifyGoals,
  isClean,
  median,
  missedGoals,
  percentile,
  summariseRuns,
  table,
  throughputRatio,
} from '../lib/goals.mjs';
import {
  evaluateGoals as evaluateSoakGoals,
  missedGoals as missedSoakGoals,
} from '../soak/report.mjs';

const clean = (requestsPerSecond: number, latencyP99Ms = 5) => ({
  requestsPerSecond,
  latencyP50Ms: 2,
  latencyP99Ms,
  non2xx: 0,
  errors: 0,
});

const goalNamed = <T extends { goal: string }>(goals: T[], text: string): T => {
  const found = goals.find((goal) => goal.goal.includes(text));
  if (!found) throw new Error(`no goal matching ${text}`);
  return found;
};

describe('median and percentile', () => {
  it('takes the middle of an odd list and the mean of the two middles of an even one', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 30])).toBe(20);
    expect(median([7])).toBe(7);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('takes the nearest rank', () => {
    const oneToHundred = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(oneToHundred, 0.99)).toBe(99);
    expect(percentile(oneToHundred, 0.5)).toBe(50);
    const oneToThousand = Array.from({ length: 1000 }, (_, index) => index + 1);
    expect(percentile(oneToThousand, 0.99)).toBe(990);
    // Fewer than 100 values: p99 is the largest.
    expect(percentile([1, 2, 3, 4, 50], 0.99)).toBe(50);
    expect(percentile([], 0.99)).toBeNull();
  });
});

describe('npm run bench goals', () => {
  it('divides req/s, and only for cleanly measured targets', () => {
    const results = {
      gridkey: clean(8490),
      ceiling: clean(10_000),
      broken: { ...clean(20_000), non2xx: 1 },
    };
    expect(throughputRatio(results, 'gridkey', 'ceiling')).toBeCloseTo(0.849, 10);
    expect(throughputRatio(results, 'gridkey', 'broken')).toBeNull();
    expect(throughputRatio(results, 'gridkey', 'absent')).toBeNull();
    expect(isClean(results.broken)).toBe(false);
  });

  it('fails a ratio just below its goal and passes one exactly on it', () => {
    const below = evaluateGoals({ gridkey: clean(8499), 'ceiling-observed': clean(10_000) });
    const observedGoal = goalNamed(below, 'gridkey req/s ≥ 0.85× ceiling-observed');
    expect(observedGoal.status).toBe('fail');
    expect(observedGoal.value).toBeCloseTo(0.8499, 10);

    const onIt = evaluateGoals({
      gridkey: clean(10_000),
      'oauth2-server': clean(10_000),
      'ceiling-observed': clean(11_000),
    });
    expect(goalNamed(onIt, 'oauth2-server').status).toBe('pass'); // 1.0 ≥ 1.0
    expect(goalNamed(onIt, 'ceiling-observed').status).toBe('pass'); // 0.909 ≥ 0.85
    // oidc-provider's ratio is shown, with no goal.
    expect(onIt.some((goal: { goal: string }) => goal.goal.includes('oidc-provider'))).toBe(false);
  });

  it('holds the 100,000-client database to 0.9× the 10-client throughput', () => {
    const flat = evaluateGoals({ gridkey: clean(10_000), 'gridkey-100k': clean(9000) });
    const sloped = evaluateGoals({ gridkey: clean(10_000), 'gridkey-100k': clean(8999) });
    expect(goalNamed(flat, 'flat').status).toBe('pass');
    expect(goalNamed(sloped, 'flat').status).toBe('fail');
    expect(goalNamed(sloped, 'flat').value).toBeCloseTo(0.8999, 10);
    // The peer goals are the 10-client target's; the 100,000-client one has its p99 goal too.
    expect(
      sloped.filter((goal: { goal: string }) => goal.goal.startsWith('gridkey-100k')),
    ).toHaveLength(2);
  });

  it('holds usage recording to 5 % of the throughput', () => {
    const cheap = evaluateGoals({ gridkey: clean(9500), 'gridkey-nousage': clean(10_000) });
    const costly = evaluateGoals({ gridkey: clean(9499), 'gridkey-nousage': clean(10_000) });
    expect(goalNamed(cheap, 'usage recording').status).toBe('pass');
    expect(goalNamed(costly, 'usage recording').status).toBe('fail');
    expect(goalNamed(costly, 'usage recording').value).toBeCloseTo(0.9499, 10);
  });

  it('holds p99 to 20 ms at most', () => {
    const over = evaluateGoals({ gridkey: clean(1000, 20.1) });
    const at = evaluateGoals({ gridkey: clean(1000, 20) });
    expect(goalNamed(over, 'p99').status).toBe('fail');
    expect(goalNamed(at, 'p99').status).toBe('pass');
  });

  it('tells a peer that was not run from one that failed or answered errors', () => {
    const goals = evaluateGoals({
      gridkey: clean(9000),
      'ceiling-observed': { failure: 'server exited before it was ready (1)' },
      'oauth2-server': { ...clean(100), errors: 3 },
    });
    expect(goalNamed(goals, 'ceiling-observed').status).toBe('failed');
    expect(goalNamed(goals, 'oauth2-server').status).toBe('invalid');
    expect(goalNamed(evaluateGoals({ gridkey: clean(9000) }), 'oauth2-server').status).toBe(
      'not run',
    );
    expect(goalNamed(goals, 'p99').status).toBe('pass');
    // Exactly the goals printed with ✗ make the run exit non-zero; `not run` does not.
    expect(missedGoals(goals).map((goal: { status: string }) => goal.status)).toEqual([
      'failed',
      'invalid',
    ]);
  });

  it('makes no goals for a gridkey variant that did not run', () => {
    expect(evaluateGoals({ ceiling: clean(10_000) })).toEqual([]);
    expect(missedGoals([])).toEqual([]);
  });

  it('prints each status with its mark and the figures to two places', () => {
    const goals = evaluateGoals({ gridkey: clean(8500, 12.34), 'ceiling-observed': clean(10_000) });
    const text = formatGoals(goals);
    expect(text).toMatch(/gridkey req\/s ≥ 0\.85× ceiling-observed\s+0\.85×\s+✓ pass/);
    expect(text).toMatch(/gridkey p99 ≤ 20 ms\s+12\.3 ms\s+✓ pass/);
    expect(text).toMatch(/oauth2-server\s+-\s+- not run/);
  });

  it('takes medians over the runs and sums what makes them invalid', () => {
    const runs = [
      {
        requestsPerSecond: 100,
        latencyP50Ms: 1,
        latencyP99Ms: 9,
        non2xx: 0,
        errors: 1,
        timeouts: 0,
      },
      {
        requestsPerSecond: 300,
        latencyP50Ms: 3,
        latencyP99Ms: 5,
        non2xx: 2,
        errors: 0,
        timeouts: 1,
      },
      {
        requestsPerSecond: 200,
        latencyP50Ms: 2,
        latencyP99Ms: 7,
        non2xx: 0,
        errors: 0,
        timeouts: 0,
      },
    ];
    expect(summariseRuns(runs)).toEqual({
      requestsPerSecond: 200,
      latencyP50Ms: 2,
      latencyP99Ms: 7,
      non2xx: 2,
      errors: 1,
      timeouts: 1,
    });
  });
});

describe('password contention', () => {
  const plan = { runs: 2, seconds: 5, loginsPerSecond: 20, plannedSeconds: 40 };
  const logins = (statusCodes: Record<string, number>, missingRetryAfter = 0) => ({
    sent: 100,
    seconds: 6,
    statusCodes,
    ok: statusCodes[200] ?? 0,
    timeouts: 0,
    errors: 0,
    missingRetryAfter,
    okLatencyP50Ms: 100,
    okLatencyP99Ms: 300,
  });

  it('compares the median p99 beside logins with the median p99 alone', () => {
    const result = contentionResult({
      plan,
      alone: [clean(1000, 4), clean(1000, 6)],
      beside: [clean(900, 10), clean(900, 12)],
      logins: [logins({ 200: 12, 503: 88 }), logins({ 200: 18, 503: 82 })],
    });
    expect(result.p99Ratio).toBeCloseTo(11 / 5, 10);
    expect(result.logins.okPerSecond).toBeCloseTo(30 / 12, 10);
    expect(result.logins.statusCodes).toEqual({ 200: 30, 503: 170 });
    const goal = goalNamed(evaluateGoals({ 'gridkey-logins': result }), 'beside 20 logins/s');
    expect(goal.status).toBe('fail'); // 2.2 > 2
  });

  it('is invalid when a login gets an unexpected answer or a 503 without Retry-After', () => {
    const result = contentionResult({
      plan,
      alone: [clean(1000, 5)],
      beside: [clean(1000, 5)],
      logins: [logins({ 200: 10, 500: 1, 503: 89 }, 2)],
    });
    expect(result.non2xx).toBe(3);
    const goal = goalNamed(evaluateGoals({ 'gridkey-logins': result }), 'logins/s');
    expect(goal.status).toBe('invalid');
  });
});

describe('npm run bench:verify goals', () => {
  const results = (overrides: { distinct?: number; memoryMb?: number } = {}) => ({
    distinct: { ratio: overrides.distinct ?? 0.95 },
    repeated: { ratio: 12 },
    api: { ratio: 0.8 },
    revocation: { p99Ms: 2000 },
    memory: { bytes: (overrides.memoryMb ?? 40) * 1024 * 1024 },
  });

  it('passes goals met exactly and fails one a thousandth short', () => {
    expect(evaluateVerifyGoals(results()).every((goal) => goal.pass)).toBe(true);
    const short = evaluateVerifyGoals(results({ distinct: 0.899 }));
    expect(short.filter((goal) => !goal.pass).map((goal) => goal.goal)).toEqual([
      'distinct tokens: verify / bare jose',
    ]);
    expect(formatVerifyGoals(short)).toContain(
      '| distinct tokens: verify / bare jose | ≥ 0.9× | 0.90 | ✗ |',
    );
  });

  it('measures the cache in MB', () => {
    const goals = evaluateVerifyGoals(results({ memoryMb: 64.5 }));
    const cache = goals.find((goal) => goal.goal.startsWith('cache'));
    expect(cache?.value).toBeCloseTo(64.5, 10);
    expect(cache?.pass).toBe(false);
  });
});

describe('soak goals', () => {
  const MB = 1024 * 1024;
  const sample = (t: number, rssMb: number, fds: number, dbMb: number) => ({
    t,
    processes: { 'node-a': { rssBytes: rssMb * MB, fds } },
    databaseBytes: dbMb * MB,
    requests: t * 100,
  });
  const ok: { statuses: Record<string, number>; transportErrors: Record<string, number> } = {
    statuses: { 200: 10 },
    transportErrors: {},
  };
  const limits = { rssGrowth: 0.1, fdGrowth: 10, dbSteadyRateRatio: 0.2, dbToleranceBytes: MB };
  const verdict = (samples: ReturnType<typeof sample>[], summary = { op: ok }) =>
    evaluateSoakGoals({
      summary,
      samples,
      nodeNames: ['node-a'],
      seconds: 600,
      warmupSeconds: 60,
      steadySeconds: 470,
      limits,
    });

  it('compares peak RSS in the first and last windows, and flags a 5xx', () => {
    // Windows are 120 s: peaks 100 MB (t=60–180) and 109 MB (t=480–600): 9 % < 10 %.
    const flat = [
      sample(0, 80, 30, 10),
      sample(60, 90, 30, 11),
      sample(120, 100, 35, 12),
      sample(470, 105, 36, 20),
      sample(540, 109, 40, 20.5),
      sample(600, 100, 38, 20.5),
    ];
    const { goals } = verdict(flat);
    expect(goals.find((goal) => goal.goal.startsWith('node-a RSS'))?.value).toBeCloseTo(0.09, 10);
    expect(missedSoakGoals(goals)).toEqual([]);

    const leaking = flat.map((s) => (s.t >= 480 ? sample(s.t, 111, 38, 20.5) : s));
    const { goals: leakGoals } = verdict(leaking, { op: { ...ok, statuses: { 200: 9, 502: 1 } } });
    expect(
      missedSoakGoals(leakGoals).map((goal: { goal: string }) => goal.goal.split(' (')[0]),
    ).toEqual(['zero 5xx answers', 'node-a RSS growth < 10 %']);
  });
});

describe('table', () => {
  it('pads text columns right and figures left', () => {
    expect(
      table(
        ['name', 'n'],
        [
          ['a', 1],
          ['bbb', 22],
        ],
      ),
    ).toBe(['name   n', '----  --', 'a      1', 'bbb   22'].join('\n'));
  });
});
