// @ts-check
/**
 * The Usage tab's chart: tokens issued over time, one line per client, as
 * inline SVG built with DOM calls (never markup), coloured by classes in
 * app.css (the page's CSP allows no inline styles). A pure function of its
 * data: the same data draws the same chart.
 *
 * Each bucket is a point, `<circle class="chart-point" data-value="…">`
 * with a `<title>` ("meter reader: 3 tokens, 14:00"), so what the chart
 * shows can be read back exactly.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The drawing's size in SVG units; it scales to its container's width. */
const WIDTH = 720;
const HEIGHT = 260;
const MARGIN = Object.freeze({ top: 12, right: 16, bottom: 30, left: 44 });

/** How many colours app.css has for series (`.series-0` …); more series reuse them. */
export const SERIES_COLOURS = 8;

/**
 * @typedef {object} ChartSeries
 * @property {string} id the client_id
 * @property {string} label what the legend and tooltips call it (the client's name)
 * @property {ReadonlyMap<number, number>} values tokens issued by bucket start (ms since the epoch)
 */

/**
 * @typedef {object} ChartData
 * @property {number} from the first bucket's start (ms)
 * @property {number} until the range's end (ms, inclusive)
 * @property {number} step a bucket's width (ms)
 * @property {readonly ChartSeries[]} series in legend order
 * @property {string} title the chart's accessible name
 * @property {Intl.DateTimeFormat} tickFormat how the time axis labels buckets
 * @property {Intl.DateTimeFormat} pointFormat how a point's tooltip names its bucket
 */

/**
 * An SVG element with attributes.
 *
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number>} [attributes]
 * @param {string} [text]
 * @returns {SVGElementTagNameMap[K]}
 */
function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A round number at or above `max` (1, 2 or 5 times a power of ten, at
 * least 1) and a step that divides it into at most 5 integer ticks.
 *
 * @param {number} max
 * @returns {{ top: number, step: number }}
 */
export function niceScale(max) {
  if (max <= 1) return { top: 1, step: 1 };
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const top = [1, 2, 5, 10].map((m) => m * magnitude).find((v) => v >= max) ?? 10 * magnitude;
  const step = Math.max(
    1,
    [1, 2, 5, 10].map((m) => (m * top) / 10).find((s) => top / s <= 5) ?? top,
  );
  return { top, step };
}

/**
 * The bucket starts of the range, oldest first.
 *
 * @param {ChartData} data
 * @returns {number[]}
 */
export function bucketStarts(data) {
  const starts = [];
  for (let t = data.from; t <= data.until; t += data.step) starts.push(t);
  return starts;
}

/**
 * Which buckets get a time label: every n-th, so at most 8 fit.
 *
 * @param {number} buckets
 */
const tickEvery = (buckets) => {
  const every = [1, 2, 3, 4, 6, 10, 12, 15, 24, 30, 48, 60].find((n) => buckets / n <= 8);
  return every ?? Math.ceil(buckets / 8);
};

/** @param {number} n */
const tokens = (n) => `${n} ${n === 1 ? 'token' : 'tokens'}`;

/**
 * Draws the chart.
 *
 * @param {ChartData} data
 * @returns {SVGSVGElement}
 */
export function usageChart(data) {
  const starts = bucketStarts(data);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = Math.max(0, ...data.series.flatMap((s) => [...s.values.values()]));
  const { top, step } = niceScale(max);
  /** @param {number} index */
  const x = (index) =>
    MARGIN.left + (starts.length <= 1 ? plotWidth / 2 : (index * plotWidth) / (starts.length - 1));
  /** @param {number} value */
  const y = (value) => MARGIN.top + plotHeight - (value * plotHeight) / top;
  const round = (/** @type {number} */ n) => Math.round(n * 10) / 10;

  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'usage-chart',
    role: 'img',
    'aria-labelledby': 'usage-chart-title',
  });
  root.append(svg('title', { id: 'usage-chart-title' }, data.title));

  // The value axis: grid lines with their counts.
  const yAxis = svg('g', { class: 'chart-axis chart-axis-y' });
  for (let v = 0; v <= top; v += step) {
    yAxis.append(
      svg('line', {
        class: v === 0 ? 'chart-baseline' : 'chart-grid',
        x1: MARGIN.left,
        x2: WIDTH - MARGIN.right,
        y1: round(y(v)),
        y2: round(y(v)),
      }),
      svg(
        'text',
        {
          class: 'chart-tick',
          x: MARGIN.left - 6,
          y: round(y(v)),
          'text-anchor': 'end',
          dy: '0.32em',
        },
        String(v),
      ),
    );
  }
  root.append(yAxis);

  // The time axis: a tick and a label every few buckets.
  const xAxis = svg('g', { class: 'chart-axis chart-axis-x' });
  const every = tickEvery(starts.length);
  starts.forEach((start, index) => {
    if (index % every !== 0) return;
    const at = round(x(index));
    const anchor = index === 0 ? 'start' : 'middle';
    xAxis.append(
      svg('line', { class: 'chart-tick-mark', x1: at, x2: at, y1: y(0), y2: y(0) + 4 }),
      svg(
        'text',
        { class: 'chart-tick', x: at, y: y(0) + 16, 'text-anchor': anchor },
        data.tickFormat.format(new Date(start)),
      ),
    );
  });
  root.append(xAxis);

  if (data.series.length === 0) {
    root.append(
      svg(
        'text',
        {
          class: 'chart-empty',
          x: MARGIN.left + plotWidth / 2,
          y: MARGIN.top + plotHeight / 2,
          'text-anchor': 'middle',
        },
        'No tokens issued in this range.',
      ),
    );
    return root;
  }

  data.series.forEach((series, n) => {
    const group = svg('g', {
      class: `chart-series series-${n % SERIES_COLOURS}`,
      'data-client-id': series.id,
    });
    group.append(svg('title', {}, series.label));
    const points = starts.map((start, index) => ({
      start,
      value: series.values.get(start) ?? 0,
      cx: round(x(index)),
    }));
    group.append(
      svg('polyline', {
        class: 'chart-line',
        points: points.map((p) => `${p.cx},${round(y(p.value))}`).join(' '),
      }),
    );
    for (const p of points) {
      const circle = svg('circle', {
        class: p.value === 0 ? 'chart-point chart-point-zero' : 'chart-point',
        cx: p.cx,
        cy: round(y(p.value)),
        r: p.value === 0 ? 1.5 : 3.5,
        'data-value': p.value,
        'data-start': new Date(p.start).toISOString(),
      });
      circle.append(
        svg(
          'title',
          {},
          `${series.label}: ${tokens(p.value)}, ${data.pointFormat.format(new Date(p.start))}`,
        ),
      );
      group.append(circle);
    }
    root.append(group);
  });
  return root;
}

/**
 * The chart's legend: each series' colour, name and client_id.
 *
 * @param {readonly ChartSeries[]} series
 * @returns {HTMLUListElement}
 */
export function usageLegend(series) {
  const list = document.createElement('ul');
  list.className = 'chart-legend';
  series.forEach((s, n) => {
    const item = document.createElement('li');
    item.dataset.clientId = s.id;
    const swatch = document.createElement('span');
    swatch.className = `chart-swatch series-${n % SERIES_COLOURS}`;
    swatch.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.className = 'chart-legend-name';
    name.textContent = s.label;
    const id = document.createElement('span');
    id.className = 'id-hint';
    id.textContent = s.id;
    item.append(swatch, name, ' ', id);
    list.append(item);
  });
  return list;
}
