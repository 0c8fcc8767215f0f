// Renders the results as plain-text tables for the terminal.
import {
  GRIDKEY_VARIANTS,
  isClean,
  OPT_IN_TARGETS,
  PASSWORD_CONTENTION,
  THROUGHPUT_GOALS,
  throughputRatio,
} from './goals.mjs';

const MARKS = {
  pass: '✓ pass',
  fail: '✗ FAIL',
  invalid: '✗ invalid',
  failed: '✗ target failed',
  'not run': '- not run',
};
const RATIO_PEERS = ['oidc-provider', 'oauth2-server', 'ceiling'];

// Text columns (names, verdicts) read left to right; figures align right.
function table(header, rows, textColumns = [0]) {
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => String(row[column]).length)),
  );
  const leftAligned = (column) => textColumns.includes(column);
  const line = (row) =>
    row
      .map((cell, column) =>
        leftAligned(column)
          ? String(cell).padEnd(widths[column])
          : String(cell).padStart(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

const fixed = (value, digits) => (typeof value === 'number' ? value.toFixed(digits) : '-');

function figureRow(name, result) {
  if (result.failure) return [name, '-', '-', '-', '-', '-', '-', `failed: ${result.failure}`];
  return [
    name,
    result.totalClients ?? '-',
    fixed(result.requestsPerSecond, 0),
    fixed(result.latencyP50Ms, 1),
    fixed(result.latencyP99Ms, 1),
    result.non2xx,
    result.errors,
    isClean(result) ? 'ok' : 'INVALID: non-2xx or errors',
  ];
}

export function formatFigures(results) {
  const header = ['target', 'clients', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'status'];
  const rows = Object.entries(results)
    .filter(([name]) => name !== PASSWORD_CONTENTION)
    .map(([name, result]) => figureRow(name, result));
  return table(header, rows, [0, header.length - 1]);
}

/** The password-contention scenario: client_credentials alone and beside paced logins. */
export function formatContention(results) {
  const result = results[PASSWORD_CONTENTION];
  if (!result) return '';
  if (result.failure) return `${PASSWORD_CONTENTION}: failed: ${result.failure}`;
  const { plan, alone, withLogins, logins } = result;
  const header = ['client_credentials', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'];
  const row = (name, r) => [
    name,
    fixed(r.requestsPerSecond, 0),
    fixed(r.latencyP50Ms, 1),
    fixed(r.latencyP99Ms, 1),
    r.non2xx,
    r.errors,
  ];
  const codes = Object.entries(logins.statusCodes)
    .map(([code, count]) => `${code}: ${count}`)
    .join(', ');
  return [
    `${PASSWORD_CONTENTION}: ${plan.runs} × ${plan.seconds}s each side, medians`,
    table(header, [
      row('alone', alone),
      row(`beside ${plan.loginsPerSecond} logins/s`, withLogins),
    ]),
    `p99 beside logins / alone: ${fixed(result.p99Ratio, 2)}×`,
    `logins: ${logins.sent} sent (${codes}); ${fixed(logins.okPerSecond, 1)} logged in a second, ` +
      `p50 ${fixed(logins.okLatencyP50Ms, 0)} ms, p99 ${fixed(logins.okLatencyP99Ms, 0)} ms; ` +
      `timeouts ${logins.timeouts}, errors ${logins.errors}, unexpected ${logins.unexpected}, ` +
      `503/429 without Retry-After ${logins.missingRetryAfter}`,
  ].join('\n');
}

export function formatRatios(results) {
  // The opt-in targets get a row, and ceiling-observed a column too when it was run.
  const variants = [...GRIDKEY_VARIANTS, ...OPT_IN_TARGETS].filter((variant) => results[variant]);
  if (variants.length === 0) return '';
  const peers = results['ceiling-observed'] ? [...RATIO_PEERS, 'ceiling-observed'] : RATIO_PEERS;
  const header = ['req/s ratio', ...peers.map((peer) => `/ ${peer}`)];
  const rows = variants.map((variant) => [
    variant,
    ...peers.map((peer) =>
      variant === peer ? '-' : fixed(throughputRatio(results, variant, peer), 2),
    ),
  ]);
  let text = table(header, rows);
  if (results.gridkey && results['gridkey-100k']) {
    // Should stay close to 1: the cost of a request must not grow with the number of clients.
    const scaling = fixed(throughputRatio(results, 'gridkey-100k', 'gridkey'), 2);
    text += `\n\ngridkey-100k / gridkey req/s: ${scaling} (close to 1 = no cost per extra client)`;
  }
  return text;
}

export function formatGoals(goals) {
  if (goals.length === 0) return '';
  const rows = goals.map(({ goal, value, unit, status }) => [
    goal,
    value === null ? '-' : `${fixed(value, unit === 'ms' ? 1 : 2)}${unit === 'ms' ? ' ms' : '×'}`,
    MARKS[status],
  ]);
  return table(['goal', 'measured', 'result'], rows, [0, 2]);
}

/**
 * Each peer goal restated as a share of the ceiling measured in the same run, so a reader can
 * see whether the goals can hold together: a goal above what `ceiling-observed` keeps is out of
 * reach for any service that logs and counts its requests on this framework.
 */
export function formatGoalsInCeilingTerms(results) {
  const lines = THROUGHPUT_GOALS.filter(({ peer }) => peer !== 'ceiling').flatMap((goal) => {
    const peerShare = throughputRatio(results, goal.peer, 'ceiling');
    if (peerShare === null) return [];
    return [`${goal.describe} = ${fixed(goal.atLeast * peerShare, 2)}× ceiling`];
  });
  const observed = throughputRatio(results, 'ceiling-observed', 'ceiling');
  if (observed !== null) lines.push(`ceiling-observed keeps ${fixed(observed, 2)}× ceiling`);
  return lines.length === 0 ? '' : `In this run's ceiling terms:\n  ${lines.join('\n  ')}`;
}
