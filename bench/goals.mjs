// The performance goals from the issue, checked against the measured figures. A goal can only
// pass when every target it involves was measured cleanly (no non-2xx responses, no errors).
export const GRIDKEY_VARIANTS = ['gridkey', 'gridkey-100k'];
// Targets run only when named in BENCH_TARGETS; they show a cost and have no goals.
export const OPT_IN_TARGETS = ['gridkey-nolog', 'ceiling-observed'];

export const THROUGHPUT_GOALS = [
  { peer: 'oidc-provider', atLeast: 2.5, describe: '≥ 2.5× oidc-provider' },
  { peer: 'oauth2-server', atLeast: 1.3, describe: '≥ 1.3× @node-oauth/oauth2-server' },
  { peer: 'ceiling', atLeast: 0.8, describe: '≥ 80% of ceiling' },
];
const P99_LIMIT_MS = 20;
// The password-contention scenario (bench/password-contention.mjs): client_credentials p99 beside
// 20 password logins a second must stay within this many times its p99 alone.
export const PASSWORD_CONTENTION = 'gridkey-logins';
export const CONTENTION_P99_RATIO_LIMIT = 2;

export function isClean(result) {
  return Boolean(result) && !result.failure && result.non2xx === 0 && result.errors === 0;
}

function verdict(inputs, passes) {
  if (inputs.some((result) => !result)) return 'not run';
  if (inputs.some((result) => result.failure)) return 'failed';
  if (!inputs.every(isClean)) return 'invalid';
  return passes() ? 'pass' : 'fail';
}

export function throughputRatio(results, variant, peer) {
  const ours = results[variant];
  const theirs = results[peer];
  if (!isClean(ours) || !isClean(theirs)) return null;
  return ours.requestsPerSecond / theirs.requestsPerSecond;
}

export function evaluateGoals(results) {
  const goals = [];
  for (const variant of GRIDKEY_VARIANTS) {
    if (!results[variant]) continue;
    for (const goal of THROUGHPUT_GOALS) {
      const ratio = throughputRatio(results, variant, goal.peer);
      goals.push({
        goal: `${variant} req/s ${goal.describe}`,
        value: ratio,
        unit: 'ratio',
        status: verdict([results[variant], results[goal.peer]], () => ratio >= goal.atLeast),
      });
    }
    const result = results[variant];
    goals.push({
      goal: `${variant} p99 < ${P99_LIMIT_MS} ms`,
      value: result.latencyP99Ms ?? null,
      unit: 'ms',
      status: verdict([result], () => result.latencyP99Ms < P99_LIMIT_MS),
    });
  }
  const contention = results[PASSWORD_CONTENTION];
  if (contention) {
    const logins = contention.plan?.loginsPerSecond ?? 20;
    goals.push({
      goal: `gridkey client_credentials p99 beside ${logins} logins/s ≤ ${CONTENTION_P99_RATIO_LIMIT}× alone`,
      value: contention.p99Ratio ?? null,
      unit: 'ratio',
      status: verdict([contention], () => contention.p99Ratio <= CONTENTION_P99_RATIO_LIMIT),
    });
  }
  return goals;
}
