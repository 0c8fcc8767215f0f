import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreTarget, storeTargets } from '../../../../test/helpers/stores.js';
import {
  clientCredentials,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import { REUSE_ADVICE } from '../../src/operations/usage.js';
import { chromiumAvailable, launchChromium, newAdminContext } from './admin-browser.js';

/**
 * The admin page's Usage tab in a real browser against a real server: two
 * clients make a known number of token requests over HTTP, the counts are
 * flushed, and the tab's top-requesters table and chart show exactly them.
 *
 * How the flag is computed (operations/usage.ts, topRequesters): a client
 * is over-requesting when it was issued more tokens than one per lifetime
 * over the range, `ceil(range seconds / lifetime)`. So over the default 24
 * hours (25 hour buckets) a client with a one-day lifetime is justified 2
 * tokens, and 40 is far too many, while a 5-minute lifetime justifies about
 * 290, and 3 is fine: a LONG lifetime is what makes many requests wasteful.
 */

const FLOOD = { name: 'flood meter', requests: 40, ttl: 86400 };
const CALM = { name: 'calm meter', requests: 3, ttl: 300, refused: 2 };

describe.skipIf(!chromiumAvailable())('admin web page: the Usage tab', () => {
  const target = storeTargets().find((t) => t.kind === 'sqlite') as StoreTarget;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let flood: { id: string; secret: string };
  let calm: { id: string; secret: string };
  const pageErrors: string[] = [];

  const panel = () => page.locator('#panel-usage');
  const row = (name: string) => panel().locator('#usage-table tbody tr').filter({ hasText: name });
  /** A row's cells' text, by the table's header labels. */
  async function cells(name: string): Promise<Record<string, string>> {
    const headers = (await panel().locator('#usage-table thead th').allTextContents()).map((t) =>
      t.trim(),
    );
    const values = (await row(name).locator('td').allTextContents()).map((t) => t.trim());
    return Object.fromEntries(headers.map((h, i) => [h, values[i] ?? '']));
  }
  /** Each chart series' client id, point values and legend text. */
  const series = () =>
    page.evaluate<{ id: string; values: number[]; titles: string[] }[]>(
      `[...document.querySelectorAll('#usage-chart svg g.chart-series')].map((g) => ({
        id: g.getAttribute('data-client-id'),
        values: [...g.querySelectorAll('circle.chart-point')].map((c) => Number(c.getAttribute('data-value'))),
        titles: [...g.querySelectorAll('circle.chart-point > title')].map((t) => t.textContent),
      }))`,
    );
  const sum = (values: number[]) => values.reduce((a, n) => a + n, 0);
  /** The table and the chart are drawn (waitForFunction: expect.poll is for tests only). */
  const loaded = () =>
    page.waitForFunction(
      `document.querySelector('#usage-table tbody tr')?.textContent !== 'Loading…' &&
       document.querySelectorAll('#usage-chart svg g.chart-series').length > 0`,
    );

  beforeAll(async () => {
    // An hour between timed flushes: the test flushes when it wants to.
    server = await startTestServer(target, { config: { usageFlushIntervalMs: 3_600_000 } });
    const adminToken = (await server.gk.pats.createAdminToken()).token;
    flood = await server.client({
      name: FLOOD.name,
      scopes: ['read'],
      accessTokenTtlSeconds: FLOOD.ttl,
    });
    calm = await server.client({
      name: CALM.name,
      scopes: ['read'],
      accessTokenTtlSeconds: CALM.ttl,
    });
    for (const [client, n] of [
      [flood, FLOOD.requests],
      [calm, CALM.requests],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const res = await clientCredentials(server, client);
        expect(res.status, `token request ${i + 1} of ${n}`).toBe(200);
      }
    }
    // Refused requests (a wrong secret) are counted too, not as tokens issued.
    for (let i = 0; i < CALM.refused; i++) {
      const res = await clientCredentials(server, { id: calm.id, secret: 'not-the-secret' });
      expect(res.status).toBe(401);
    }
    await server.app.usage?.flush();

    browser = await launchChromium();
    context = await newAdminContext(browser, { width: 1280, height: 900 });
    // CSP violations as the page itself sees them (init scripts are not subject to the CSP).
    await context.addInitScript({
      content: `window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => {
          window.cspViolations.push(e.violatedDirective + ': ' + e.blockedURI + ' ' + e.sample);
        });`,
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        pageErrors.push(`${message.type()}: ${message.text()}`);
      }
    });
    await page.goto(`${server.url}/admin/`);
    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Access tokens', selected: true }).waitFor();
    await page.getByRole('tab', { name: 'Usage', exact: true }).click();
    await page.getByRole('tab', { name: 'Usage', exact: true, selected: true }).waitFor();
    await loaded();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is a tab after Clients, remembered in the URL', async () => {
    const tabs = (await page.getByRole('tab').allTextContents()).map((t) => t.trim());
    expect(tabs.indexOf('Usage')).toBe(tabs.indexOf('Clients') + 1);
    expect(new URL(page.url()).hash).toBe('#usage');
    expect(await panel().isVisible()).toBe(true);
    expect(await page.getByLabel('Range').inputValue()).toBe('24h');
  });

  it('the top requesters table shows each client’s exact counts and lifetime', async () => {
    const headers = (await panel().locator('#usage-table thead th').allTextContents()).map((t) =>
      t.trim(),
    );
    expect(headers).toEqual([
      'Client',
      'Tokens issued',
      'Refused',
      'Token lifetime',
      'Justified',
      'Requests',
    ]);
    // Most tokens first, and only these two clients.
    const names = await panel().locator('#usage-table tbody tr td:first-child').allTextContents();
    expect(names.map((n) => n.trim())).toEqual([
      `${FLOOD.name}${flood.id}`,
      `${CALM.name}${calm.id}`,
    ]);
    const f = await cells(FLOOD.name);
    expect(f['Tokens issued']).toBe(String(FLOOD.requests));
    expect(f.Refused).toBe('0');
    expect(f['Token lifetime']).toBe('1 d');
    expect(f.Justified).toBe('2');
    const c = await cells(CALM.name);
    expect(c['Tokens issued']).toBe(String(CALM.requests));
    expect(c.Refused).toBe(String(CALM.refused));
    expect(await row(CALM.name).locator('td').nth(2).getAttribute('title')).toBe(
      `invalid_client: ${CALM.refused}`,
    );
    expect(c['Token lifetime']).toBe('5 min');
    expect(Number(c.Justified)).toBeGreaterThanOrEqual(289);
    expect(await panel().locator('#usage-count').textContent()).toBe('2 clients');
  });

  it('flags the over-requesting client with the advice, and not the other', async () => {
    const floodFlag = row(FLOOD.name).locator('td.usage-flag');
    expect(await floodFlag.getAttribute('data-over-requesting')).toBe('true');
    expect(await floodFlag.locator('.badge').textContent()).toBe('over-requesting');
    expect(await floodFlag.isVisible()).toBe(true);
    expect(await floodFlag.textContent()).toContain(REUSE_ADVICE);
    expect(await floodFlag.locator('.usage-advice').isVisible()).toBe(true);

    const calmFlag = row(CALM.name).locator('td.usage-flag');
    expect(await calmFlag.getAttribute('data-over-requesting')).toBeNull();
    expect(await calmFlag.locator('.badge').textContent()).toBe('within lifetime');
    expect(await calmFlag.textContent()).not.toContain(REUSE_ADVICE);
    // The advice is on the page exactly once: next to the one flagged client.
    expect(await panel().getByText(REUSE_ADVICE).count()).toBe(1);
  });

  it('the chart has one series per client, in hour buckets, summing to the counts', async () => {
    const drawn = await series();
    expect(drawn.map((s) => s.id).sort()).toEqual([flood.id, calm.id].sort());
    const byId = new Map(drawn.map((s) => [s.id, s]));
    expect(sum(byId.get(flood.id)?.values ?? [])).toBe(FLOOD.requests);
    expect(sum(byId.get(calm.id)?.values ?? [])).toBe(CALM.requests);
    // 24 hours of hour buckets: the bucket of 24 h ago through this hour's.
    for (const s of drawn) expect(s.values).toHaveLength(25);
    // Each point names its client and count.
    const floodTitles = byId.get(flood.id)?.titles ?? [];
    expect(floodTitles.every((t) => t.startsWith(`${FLOOD.name}: `))).toBe(true);
    expect(floodTitles.some((t) => /: \d+ tokens?, /.test(t))).toBe(true);

    // The legend: each client's name and id.
    const legend = (await panel().locator('.chart-legend li').allTextContents()).map((t) =>
      t.trim(),
    );
    expect(legend).toEqual([`${FLOOD.name} ${flood.id}`, `${CALM.name} ${calm.id}`]);
    // Axes with labels: counts up the side, times along the bottom.
    const yTicks = await panel().locator('.chart-axis-y text').allTextContents();
    expect(yTicks[0]).toBe('0');
    expect(Number(yTicks.at(-1))).toBeGreaterThanOrEqual(FLOOD.requests);
    const xTicks = await panel().locator('.chart-axis-x text').allTextContents();
    expect(xTicks.length).toBeGreaterThanOrEqual(4);
    expect(xTicks.every((t) => /^\d\d:\d\d$/.test(t))).toBe(true);
    // Drawn, and coloured by the stylesheet (no inline style under the CSP).
    const box = await panel().locator('#usage-chart svg').boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(600);
    const stroke = await page.evaluate<string>(
      `getComputedStyle(document.querySelector('#usage-chart polyline.chart-line')).stroke`,
    );
    expect(stroke).toMatch(/^rgb/);
    expect(await page.locator('#panel-usage [style]').count()).toBe(0);
    if (process.env.GRIDKEY_USAGE_SCREENSHOT) {
      await panel().screenshot({ path: process.env.GRIDKEY_USAGE_SCREENSHOT });
    }
  });

  it('the range selector redraws the last hour in minute buckets, same totals', async () => {
    await page.getByLabel('Range').selectOption('1h');
    await expect.poll(async () => (await series())[0]?.values.length).toBe(61);
    const drawn = new Map((await series()).map((s) => [s.id, s.values]));
    expect(drawn.size).toBe(2);
    expect(sum(drawn.get(flood.id) ?? [])).toBe(FLOOD.requests);
    expect(sum(drawn.get(calm.id) ?? [])).toBe(CALM.requests);
    expect((await cells(FLOOD.name))['Tokens issued']).toBe(String(FLOOD.requests));
    expect(
      await row(FLOOD.name).locator('td.usage-flag').getAttribute('data-over-requesting'),
    ).toBe('true');
    expect(
      await row(CALM.name).locator('td.usage-flag').getAttribute('data-over-requesting'),
    ).toBeNull();

    await page.getByLabel('Range').selectOption('7d');
    // 7 days of hour buckets: 168 and the one of 7 days ago.
    await expect.poll(async () => (await series())[0]?.values.length).toBe(169);
    const week = new Map((await series()).map((s) => [s.id, s.values]));
    expect(sum(week.get(flood.id) ?? [])).toBe(FLOOD.requests);
    expect(sum(week.get(calm.id) ?? [])).toBe(CALM.requests);
    await page.getByLabel('Range').selectOption('24h');
    await expect.poll(async () => (await series())[0]?.values.length).toBe(25);
  });

  it('at 390×844 the tab does not scroll the page sideways; the chart shrinks to fit', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Refresh' }).filter({ visible: true }).click();
    await loaded();
    const [scroll, client, wide] = await page.evaluate<[number, number, string[]]>(
      `[document.documentElement.scrollWidth, document.documentElement.clientWidth,
        [...document.querySelectorAll('#panel-usage *')]
          .filter((e) => !e.closest('.table-wrap') && !e.closest('svg title'))
          .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .slice(0, 5)
          .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''))]`,
    );
    expect(scroll, wide.join(', ')).toBeLessThanOrEqual(client);
    expect(wide).toEqual([]);
    const box = await panel().locator('#usage-chart svg').boundingBox();
    expect(box?.width ?? 0).toBeLessThanOrEqual(390);
    expect(sum((await series()).flatMap((s) => s.values))).toBe(FLOOD.requests + CALM.requests);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('builds its SVG with DOM calls, and raised no page error or CSP violation', async () => {
    for (const file of ['usage.js', 'usage-chart.js']) {
      const source = readFileSync(new URL(`../../admin-ui/js/${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML/);
    }
    expect(
      readFileSync(new URL('../../admin-ui/js/usage-chart.js', import.meta.url), 'utf8'),
    ).toMatch(/document\.createElementNS\(SVG_NS/);
    expect(await page.evaluate<string[]>('window.cspViolations')).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
