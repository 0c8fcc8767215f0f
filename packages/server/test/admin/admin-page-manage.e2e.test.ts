import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreTarget, storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import { chromiumAvailable, launchChromium, newAdminContext } from './admin-browser.js';

/**
 * What the admin page manages beyond PATs, in a real browser against a real
 * server: clients (create with the secret shown once, deprecate, the kill
 * switch, delete), API keys and login tokens (created and shown once),
 * users, signing keys, the audit search, and a layout that fits a laptop and
 * a phone.
 */

const TOKEN_KEY = 'gridkey.adminToken';
const CUSTOMER = '4f1c2b9e-8d7a-4c3b-9e2f-1a2b3c4d5e6f';
const TABS = [
  'Access tokens',
  'Clients',
  'Usage',
  'Users',
  'Login tokens',
  'API keys',
  'Signing keys',
  'Audit log',
];

describe.skipIf(!chromiumAvailable())('admin web page manages clients, keys, users', () => {
  const target = storeTargets().find((t) => t.kind === 'sqlite') as StoreTarget;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let adminToken: string;
  let resourceServer: { id: string; secret: string };
  let created: { id: string; secret: string; accessToken: string };
  const pageErrors: string[] = [];

  const row = (text: string) => page.locator('tbody tr').filter({ hasText: text });
  const dialog = (name: string | RegExp) => page.getByRole('dialog', { name });
  /** The admin API from outside the browser. */
  const adminGet = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${server.url}/admin/api/${path}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  /** Every text a field holds and all the markup: where a secret could linger. */
  const pageHolds = (secret: string) =>
    page.evaluate<boolean>(
      `(() => {
        const s = ${JSON.stringify(secret)};
        const values = [...document.querySelectorAll('input, textarea')].map((e) => e.value);
        return document.documentElement.outerHTML.includes(s) || values.some((v) => v.includes(s));
      })()`,
    );
  const introspect = (token: string) =>
    postForm(
      `${server.url}/oauth2/introspect`,
      { token },
      { authorization: basic(resourceServer.id, resourceServer.secret) },
    );
  /** Opens the show-once dialog's value, checks it goes away on close, returns it. */
  async function shownOnce(title: string): Promise<string> {
    const once = dialog(title);
    await once.waitFor();
    expect(await once.textContent()).toContain('It cannot be displayed again');
    const value = await page.locator('#new-token').inputValue();
    expect(value.length).toBeGreaterThan(15);
    expect(await pageHolds(value)).toBe(true);
    await once.getByRole('button', { name: /close/ }).click();
    await once.waitFor({ state: 'hidden' });
    await expect.poll(() => pageHolds(value)).toBe(false);
    return value;
  }
  const tab = async (name: string) => {
    await page.getByRole('tab', { name, exact: true }).click();
    await page.getByRole('tab', { name, exact: true, selected: true }).waitFor();
    await page.locator('[role="tabpanel"]:not([hidden]) tbody tr').first().waitFor();
    await expect
      .poll(() => page.locator('[role="tabpanel"]:not([hidden]) tbody tr').first().textContent())
      .not.toBe('Loading…');
  };

  beforeAll(async () => {
    server = await startTestServer(target);
    const { gk } = server;
    adminToken = (await gk.pats.createAdminToken()).token;
    resourceServer = await server.client({
      name: 'energy api',
      scopes: ['meters:read'],
      resourceServer: true,
    });
    await gk.users.create('ops@example.com', 'correct horse battery staple');
    // Enough long rows that the Login tokens table is wider than a laptop screen.
    for (let i = 0; i < 4; i++) {
      await gk.loginTokens.create({
        customerUuid: `9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6${i}`,
        scopes: ['meters:read', 'readings:read', 'tariffs:read'],
      });
    }
    browser = await launchChromium();
    context = await newAdminContext(browser, { width: 1280, height: 800 });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageErrors.push(message.text());
      }
    });
    await page.goto(`${server.url}/admin/`);
    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Access tokens', selected: true }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the page as modules and an SVG favicon, under its CSP', async () => {
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toBe('favicon.svg');
    const res = await fetch(`${server.url}/admin/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.evaluate<number>('document.querySelectorAll("script").length')).toBe(1);
    const main = await fetch(`${server.url}/admin/js/main.js`);
    expect(main.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect((await page.getByRole('tab').allTextContents()).map((t) => t.trim())).toEqual(TABS);
  });

  it('creates a client: its secret is shown once and works at the token endpoint', async () => {
    await tab('Clients');
    await page.getByRole('button', { name: 'Add client' }).click();
    const add = dialog('Add client');
    await add.getByLabel('Name').fill('depot sync');
    await add.getByLabel(/^Scope/).fill('meters:read');
    await add.getByRole('button', { name: 'Create client' }).click();
    const secret = await shownOnce('New client secret');
    await row('depot sync').waitFor();
    const clientId = (await row('depot sync').locator('td').first().textContent()) ?? '';
    const listed = await adminGet<{ client_id: string; name: string }[]>('clients');
    expect(listed.find((c) => c.name === 'depot sync')?.client_id).toBe(clientId);

    const res = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, secret) },
    );
    expect(res.status).toBe(200);
    expect(res.json.token_type).toMatch(/^bearer$/i);
    created = { id: clientId, secret, accessToken: String(res.json.access_token) };
    expect((await introspect(created.accessToken)).json.active).toBe(true);
    // The new column: the client has just been used.
    await page.getByRole('button', { name: 'Refresh' }).filter({ visible: true }).click();
    await expect.poll(() => row('depot sync').locator('time').count()).toBeGreaterThan(0);
  });

  it('revokes all tokens of a client: a token issued before introspects inactive', async () => {
    await row('depot sync')
      .getByRole('button', { name: 'Revoke all tokens of depot sync' })
      .click();
    const confirm = dialog('Revoke all tokens of the client');
    await confirm.getByRole('button', { name: 'Revoke all tokens', exact: true }).click();
    await confirm.waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Every token of “depot sync” is revoked');
    expect((await introspect(created.accessToken)).json.active).toBe(false);
  });

  it('deprecates a client, then deletes it', async () => {
    await row('depot sync').getByRole('button', { name: 'Deprecate depot sync' }).click();
    await dialog('Deprecate client')
      .getByRole('button', { name: 'Deprecate', exact: true })
      .click();
    await expect.poll(() => row('depot sync').locator('.badge-deprecated').count()).toBe(1);
    const one = await adminGet<{ deprecated: boolean }>(`clients/${created.id}`);
    expect(one.deprecated).toBe(true);

    await row('depot sync').getByRole('button', { name: 'Delete depot sync' }).click();
    await dialog('Delete client').getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => row('depot sync').count()).toBe(0);
    const listed = await adminGet<{ client_id: string }[]>('clients');
    expect(listed.map((c) => c.client_id)).not.toContain(created.id);
    const token = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(created.id, created.secret) },
    );
    expect(token.status).toBe(401);
  });

  it('creates an API key, shown once', async () => {
    await tab('API keys');
    await page.getByRole('button', { name: 'Add API key' }).click();
    const add = dialog('Add API key');
    await add.getByLabel('Name').fill('wallbox 7');
    await add.getByLabel(/^Scope/).fill('sessions:read');
    await add.getByRole('button', { name: 'Create API key' }).click();
    const key = await shownOnce('New API key');
    expect(key).toMatch(/^gk_/);
    await row('wallbox 7').waitFor();
    const listed = await adminGet<{ name: string; key_hint: string }[]>('api-keys');
    const hint = listed.find((k) => k.name === 'wallbox 7')?.key_hint ?? '';
    expect(key.endsWith(hint.slice(-4))).toBe(true);
    expect(await row('wallbox 7').textContent()).toContain(hint);
    expect((await introspect(key)).json.active).toBe(true);
  });

  it('creates a login token, shown once', async () => {
    await tab('Login tokens');
    await page.getByRole('button', { name: 'Add login token' }).click();
    const add = dialog('Add login token');
    await add.getByLabel('Customer UUID').fill(CUSTOMER);
    await add.getByRole('button', { name: 'Create login token' }).click();
    const token = await shownOnce('New login token');
    await row(CUSTOMER).waitFor();
    const listed = await adminGet<{ customer_uuid: string }[]>(
      `login-tokens?customer_uuid=${CUSTOMER}`,
    );
    expect(listed).toHaveLength(1);
    expect(token).not.toContain(CUSTOMER);
  });

  it('at 1280×800 every Revoke button of the Login tokens tab is inside the viewport', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await tab('Login tokens');
    const active = (await adminGet<{ status: string }[]>('login-tokens')).filter(
      (t) => t.status === 'active',
    );
    expect(active.length).toBeGreaterThanOrEqual(4);
    const count = await page.locator('#login-tokens-table button', { hasText: 'Revoke' }).count();
    expect(count).toBe(active.length);
    for (let i = 0; i < count; i++) {
      // Scrolls the page up or down only: a table scrolled sideways to reach the
      // button would hide that the page itself clips it.
      const seen = await page.evaluate<{
        rect: { left: number; right: number; top: number; bottom: number };
        clip: { left: number; right: number };
        hits: boolean[];
      }>(`(() => {
        const b = [...document.querySelectorAll('#login-tokens-table button')]
          .filter((e) => e.textContent === 'Revoke')[${i}];
        window.scrollTo(0, b.getBoundingClientRect().top + window.scrollY - innerHeight / 2);
        const r = b.getBoundingClientRect();
        const w = b.closest('.table-wrap').getBoundingClientRect();
        const at = (x, y) => { const e = document.elementFromPoint(x, y); return e === b || b.contains(e); };
        return {
          rect: { left: r.left, right: r.right, top: r.top, bottom: r.bottom },
          clip: { left: w.left, right: w.right },
          // Its left edge, middle and right edge (inside the rounded corners) are not covered.
          hits: [r.left + 3, (r.left + r.right) / 2, r.right - 3].map((x) => at(x, (r.top + r.bottom) / 2)),
        };
      })()`);
      expect(seen.rect.left).toBeGreaterThanOrEqual(Math.max(0, seen.clip.left));
      expect(seen.rect.right).toBeLessThanOrEqual(Math.min(1280, seen.clip.right));
      expect(seen.rect.top).toBeGreaterThanOrEqual(0);
      expect(seen.rect.bottom).toBeLessThanOrEqual(800);
      expect(seen.hits).toEqual([true, true, true]);
    }
  });

  it('lists the users the API lists; creates, disables and deletes one', async () => {
    await tab('Users');
    await page.getByRole('button', { name: 'Add user' }).click();
    const add = dialog('Add user');
    await add.getByLabel('Email address').fill('jane@example.com');
    await add.getByLabel('Password').fill('another horse battery staple');
    await add.getByRole('button', { name: 'Create user' }).click();
    await add.waitFor({ state: 'hidden' });
    await row('jane@example.com').waitFor();
    const listed = await adminGet<{ email: string; status: string }[]>('users');
    const emails = await page.locator('#users-table tbody td:first-child').allTextContents();
    expect([...emails].sort()).toEqual(listed.map((u) => u.email).sort());
    expect(emails).toEqual(['jane@example.com', 'ops@example.com']);

    await row('jane@example.com')
      .getByRole('button', { name: 'Set password of jane@example.com' })
      .click();
    const set = dialog(/^Set password of/);
    await set.getByLabel('New password').fill('a third horse battery staple');
    await set.getByRole('button', { name: 'Set password', exact: true }).click();
    await set.waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('The password of jane@example.com is set');

    await row('jane@example.com').getByRole('button', { name: 'Disable jane@example.com' }).click();
    await dialog('Disable user').getByRole('button', { name: 'Disable', exact: true }).click();
    await expect
      .poll(() => row('jane@example.com').locator('.badge').textContent())
      .toBe('disabled');
    const after = await adminGet<{ email: string; status: string }[]>('users');
    expect(after.find((u) => u.email === 'jane@example.com')?.status).toBe('disabled');

    await row('jane@example.com').getByRole('button', { name: 'Delete jane@example.com' }).click();
    await dialog('Delete user').getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => row('jane@example.com').count()).toBe(0);
    const gone = await adminGet<{ email: string }[]>('users');
    expect(gone.map((u) => u.email)).toEqual(['ops@example.com']);
  });

  it('lists the signing keys the API lists, and rotates them', async () => {
    await tab('Signing keys');
    type Key = { kid: string; status: string; alg: string };
    const before = await adminGet<Key[]>('keys');
    expect(before.length).toBeGreaterThan(0);
    const kids = () => page.locator('#signing-keys-table tbody td:nth-child(2)').allTextContents();
    expect([...(await kids())].sort()).toEqual(before.map((k) => k.kid).sort());
    for (const key of before) {
      const text = await row(key.kid).textContent();
      expect(text).toContain(key.alg);
      expect(text).toContain(key.status);
    }

    await page.getByRole('button', { name: 'Rotate keys' }).click();
    await dialog('Rotate signing keys')
      .getByRole('button', { name: 'Rotate keys', exact: true })
      .click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('New signing keys');
    const after = await adminGet<Key[]>('keys');
    expect(after.length).toBeGreaterThan(before.length);
    await expect
      .poll(async () => [...(await kids())].sort())
      .toEqual(after.map((k) => k.kid).sort());
  });

  it('searches the audit log by actor, action, target and time range', async () => {
    await tab('Audit log');
    const actions = () => page.locator('#audit-table tbody td:nth-child(3)').allTextContents();
    const targets = () => page.locator('#audit-table tbody td:nth-child(4)').allTextContents();
    const search = page.locator('#audit-search');
    await search.getByLabel('Actor', { exact: true }).fill('ADMIN');
    await search.getByLabel('Action', { exact: true }).fill('client.');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(actions)
      .toEqual(['client.delete', 'client.update', 'client.revoke_tokens', 'client.create']);
    expect(new Set(await targets())).toEqual(new Set([created.id]));

    await search.getByLabel('Action', { exact: true }).fill('');
    await search.getByLabel('Target', { exact: true }).fill(created.id);
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(async () => (await actions()).at(-1)).toBe('client.create');
    expect(new Set(await targets())).toEqual(new Set([created.id]));

    // A time range that ends before anything happened.
    await search.getByLabel('To', { exact: true }).fill('2001-01-01T00:00');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => page.locator('#audit-table tbody tr').first().textContent())
      .toBe('No entries yet.');
    await search.getByLabel('To', { exact: true }).fill('');
    await search.getByLabel('From', { exact: true }).fill('2001-01-01T00:00');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(async () => (await actions()).at(-1)).toBe('client.create');

    await search.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(async () => (await actions()).includes('user.create')).toBe(true);
  });

  it('at 390×844 no tab scrolls the page sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const name of TABS) {
      await tab(name);
      // With what sticks out beyond the viewport, to say which element is too wide.
      const [scroll, client, wide] = await page.evaluate<[number, number, string[]]>(
        `[document.documentElement.scrollWidth, document.documentElement.clientWidth,
          [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 5)
            .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))]`,
      );
      expect(scroll, `${name}: ${wide.join(', ')}`).toBeLessThanOrEqual(client);
    }
    const stored = await page.evaluate<string | null>(
      `localStorage.getItem(${JSON.stringify(TOKEN_KEY)})`,
    );
    expect(stored).toBe(adminToken);
    expect(pageErrors).toEqual([]);
  });
});
