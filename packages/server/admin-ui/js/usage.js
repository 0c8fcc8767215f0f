// @ts-check
import { api } from './api.js';
import { $, $as, el } from './dom.js';
import { load } from './list.js';
import { clearMessages } from './messages.js';
import { setUsageRange, usageRange } from './store.js';
import { customColumn, textColumn } from './table.js';
import { usageChart, usageLegend } from './usage-chart.js';

/**
 * Usage: tokens issued per client over time (a chart drawn by
 * usage-chart.js) and the top requesters, each against what its token
 * lifetime justifies (`GET /admin/api/usage/top-clients`), flagged with
 * the eDRV seed's advice when it asks for far more.
 *
 * @typedef {{ client_id: string, name: string | null, tokens_issued: number, access_token_ttl_seconds: number, justified_tokens: number, tokens_per_lifetime: number, over_requesting: boolean, advice: string | null }} TopClient
 * @typedef {TopClient & { refused: number, refused_by: Record<string, number> }} Requester
 * @typedef {{ kind: string, id: string, start: string, tokens_issued: number, uses: number, refused: Record<string, number> }} UsageBucket
 * @typedef {{ granularity: 'minute' | 'hour' | 'day', since: string, until: string }} UsageRangeAnswer
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The range selector's choices: the granularity asked for, the window and
 * the labels. The last hour and 24 hours are the server's own default
 * windows for minute and hour buckets, so only 7 days names a `since`.
 *
 * @type {Readonly<Record<import('./store.js').UsageRange, { granularity: 'minute' | 'hour', window?: number, text: string, tick: Intl.DateTimeFormat }>>}
 */
const RANGES = Object.freeze({
  '1h': {
    granularity: 'minute',
    text: 'the last hour, by minute',
    tick: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }),
  },
  '24h': {
    granularity: 'hour',
    text: 'the last 24 hours, by hour',
    tick: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }),
  },
  '7d': {
    granularity: 'hour',
    window: 7 * DAY,
    text: 'the last 7 days, by hour',
    tick: new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric' }),
  },
});

const STEP = Object.freeze({ minute: MINUTE, hour: HOUR, day: DAY });

const pointFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The query both usage calls share, for the selected range. */
function rangeQuery() {
  const range = RANGES[usageRange()];
  const params = new URLSearchParams({ granularity: range.granularity });
  if (range.window !== undefined) {
    params.set('since', new Date(Date.now() - range.window).toISOString());
  }
  return params;
}

/**
 * A lifetime in the largest unit that divides it.
 *
 * @param {number} seconds
 */
export function lifetime(seconds) {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** @param {Requester} r */
const nameOf = (r) => r.name ?? '(deleted client)';

/** @param {Requester} r */
function clientCell(r) {
  const td = el('td', undefined, 'name');
  td.append(el('span', nameOf(r)), el('br'), el('span', r.client_id, 'id-hint'));
  return td;
}

/** @param {Requester} r */
function refusedCell(r) {
  const td = el('td', String(r.refused), 'number');
  const why = Object.entries(r.refused_by)
    .map(([code, n]) => `${code}: ${n}`)
    .join(', ');
  if (why !== '') td.title = why;
  return td;
}

/** @param {Requester} r */
function flagCell(r) {
  const td = el('td', undefined, 'usage-flag');
  if (!r.over_requesting) {
    td.append(el('span', 'within lifetime', 'badge badge-ok'));
    return td;
  }
  td.dataset.overRequesting = 'true';
  td.append(
    el('span', 'over-requesting', 'badge badge-over'),
    el('span', ` ${r.tokens_per_lifetime} tokens per lifetime. `, 'usage-rate'),
    el('span', r.advice ? `Advice: ${r.advice}.` : '', 'usage-advice'),
  );
  return td;
}

/**
 * Draws the chart and its legend from the usage buckets.
 *
 * @param {UsageRangeAnswer & { buckets: UsageBucket[] }} usage
 * @param {Map<string, string>} names client_id → name
 */
function drawChart(usage, names) {
  /** @type {Map<string, Map<number, number>>} */
  const byClient = new Map();
  for (const b of usage.buckets) {
    if (b.kind !== 'client' || b.tokens_issued === 0) continue;
    const values = byClient.get(b.id) ?? new Map();
    const at = Date.parse(b.start);
    values.set(at, (values.get(at) ?? 0) + b.tokens_issued);
    byClient.set(b.id, values);
  }
  const total = (/** @type {Map<number, number>} */ v) =>
    [...v.values()].reduce((a, n) => a + n, 0);
  const series = [...byClient]
    .map(([id, values]) => ({ id, label: names.get(id) ?? id, values }))
    .sort((a, b) => total(b.values) - total(a.values) || a.label.localeCompare(b.label));
  const range = RANGES[usageRange()];
  const chart = usageChart({
    from: Date.parse(usage.since),
    until: Date.parse(usage.until),
    step: STEP[usage.granularity],
    series,
    title: `Tokens issued per client over ${range.text}`,
    tickFormat: range.tick,
    pointFormat,
  });
  $('#usage-chart').replaceChildren(chart);
  $('#usage-legend').replaceChildren(usageLegend(series));
  $('#usage-chart-caption').textContent =
    series.length === 0
      ? `No client was issued a token over ${range.text}.`
      : `Tokens issued over ${range.text}, one line per client; hover a point for its count.`;
}

/**
 * The top requesters with their refused requests, and the chart: three
 * calls (the clients only for the chart's names).
 *
 * @returns {Promise<Requester[]>}
 */
async function fetchUsage() {
  const query = rangeQuery();
  const usageQuery = new URLSearchParams(query);
  usageQuery.set('kind', 'client');
  /** @type {[UsageRangeAnswer & { clients: TopClient[] }, UsageRangeAnswer & { buckets: UsageBucket[] }, { client_id: string, name: string }[]]} */
  const [top, usage, clients] = await Promise.all([
    api('GET', `usage/top-clients?${query}`),
    api('GET', `usage?${usageQuery}`),
    api('GET', 'clients'),
  ]);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  for (const c of top.clients) if (c.name !== null) names.set(c.client_id, c.name);
  drawChart(usage, names);
  /** @type {Map<string, Record<string, number>>} */
  const refused = new Map();
  for (const b of usage.buckets) {
    const by = refused.get(b.id) ?? {};
    for (const [code, n] of Object.entries(b.refused)) by[code] = (by[code] ?? 0) + n;
    refused.set(b.id, by);
  }
  return top.clients.map((c) => {
    const by = refused.get(c.client_id) ?? {};
    return {
      ...c,
      refused: Object.values(by).reduce((a, n) => a + n, 0),
      refused_by: by,
    };
  });
}

/** @type {import('./list.js').Section<Requester>} */
export const usage = {
  name: 'usage',
  path: () => `usage/top-clients?${rangeQuery()}`,
  fetchRows: fetchUsage,
  noun: ['client', 'clients'],
  sort: (a, b) => b.tokens_issued - a.tokens_issued || nameOf(a).localeCompare(nameOf(b)),
  key: (r) => r.client_id,
  search: (r) => [r.client_id],
  columns: [
    customColumn('Client', clientCell),
    textColumn('Tokens issued', (r) => r.tokens_issued, 'number'),
    customColumn('Refused', refusedCell),
    textColumn('Token lifetime', (r) => lifetime(r.access_token_ttl_seconds)),
    textColumn('Justified', (r) => r.justified_tokens, 'number'),
    customColumn('Requests', flagCell),
  ],
  wire() {
    const select = $as('#usage-range', HTMLSelectElement);
    select.value = usageRange();
    select.addEventListener('change', () => {
      const value = select.value;
      if (value !== '1h' && value !== '24h' && value !== '7d') return;
      setUsageRange(value);
      clearMessages();
      load(usage);
    });
  },
};
