import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
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
 * The admin web page in a real browser (Debian's chromium, driven by
 * playwright-core; never a downloaded browser) against a real server: the
 * kostal seed's story of ADD, show once, AUTHORISE, use, REVOKE, with the
 * admin token kept in the browser's local storage.
 *
 * Screenshots of each step go to test-artifacts/admin/; with
 * GRIDKEY_DOC_SCREENSHOTS=1 the ones docs/admin.md shows are also written to
 * docs/images/admin-*.png.
 */

const TOKEN_KEY = 'gridkey.adminToken';
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/admin/', import.meta.url));
const DOC_IMAGES = fileURLToPath(new URL('../../../../docs/images/', import.meta.url));
const DOC_SCREENSHOTS = process.env.GRIDKEY_DOC_SCREENSHOTS === '1';

describe.skipIf(!chromiumAvailable())('admin web page in chromium', () => {
  // SQLite only: the page does not care which store is behind the API.
  const target = storeTargets().find((t) => t.kind === 'sqlite') as StoreTarget;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let adminToken: string;
  let patToken: string;
  let meterSync: { id: string; secret: string };
  let step = 0;
  /** Script errors and console errors in the page (a CSP violation shows up here too). */
  const pageErrors: string[] = [];

  /**
   * A screenshot of the page as it is now; `doc` names the copy for
   * docs/images/, which shows only `part` (a dialog, say) when given.
   */
  async function shot(name: string, doc?: string, part?: Locator) {
    step += 1;
    await page.mouse.move(0, 0); // no hover highlight in the picture
    const image = await page.screenshot({
      path: join(ARTIFACTS, `${String(step).padStart(2, '0')}-${name}.png`),
    });
    if (DOC_SCREENSHOTS && doc !== undefined) {
      writeFileSync(
        join(DOC_IMAGES, `admin-${doc}.png`),
        part === undefined ? image : await part.screenshot(),
      );
    }
  }

  // Run in the page (this file is type-checked without the DOM library, hence strings).
  const stored = () =>
    page.evaluate<string | null>(`localStorage.getItem(${JSON.stringify(TOKEN_KEY)})`);
  const focusedName = () =>
    page.evaluate<string>(
      `(document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '').trim()`,
    );
  const focusedId = () => page.evaluate<string | undefined>('document.activeElement?.id');
  const row = (text: string) => page.locator('tbody tr').filter({ hasText: text });
  const dialog = (name: string | RegExp) => page.getByRole('dialog', { name });

  /** The admin API called from outside the browser with a PAT, as an application would. */
  const session = (token: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/admin/api/session`, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    });

  beforeAll(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    if (DOC_SCREENSHOTS) mkdirSync(DOC_IMAGES, { recursive: true });
    server = await startTestServer(target);
    const { gk } = server;
    adminToken = (await gk.pats.createAdminToken()).token;

    // Something to look at on every screen.
    const viewer = await gk.pats.create({ name: 'billing export', role: 'viewer' });
    await gk.pats.authorise(viewer.record.id, { api: true, web: false });
    const old = await gk.pats.create({ name: 'old dashboard', role: 'user' });
    await gk.pats.revoke(old.record.id);
    meterSync = await server.client({
      name: 'meter-sync',
      scopes: ['meters:read', 'readings:read'],
    });
    await server.client({
      name: 'charger fleet',
      scopes: ['sessions:read'],
      authMethod: 'client_secret_post',
    });
    await gk.loginTokens.create({
      customerUuid: '4f1c2b9e-8d7a-4c3b-9e2f-1a2b3c4d5e6f',
      scopes: ['meters:read', 'readings:read'],
    });
    await gk.loginTokens.create({
      customerUuid: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      scopes: ['readings:read'],
    });
    await gk.apiKeys.create({ name: 'depot charger 12', scopes: ['sessions:read'] });
    await gk.apiKeys.create({ name: 'grafana', scopes: ['readings:read'] });

    browser = await launchChromium();
    context = await newAdminContext(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      // The browser logs every 4xx answer; the page showing them is what is tested.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageErrors.push(message.text());
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks for an admin token and refuses one that is not valid or not an admin token', async () => {
    const res = await page.goto(`${server.url}/admin/`);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('sign-in', 'sign-in');

    await page.getByLabel('Admin token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toMatch(/^This token is not valid/);
    expect(await stored()).toBeNull();

    // A valid PAT, authorised for the web page, but with role user.
    const user = await server.gk.pats.create({ name: 'plain user', role: 'user' });
    await server.gk.pats.authorise(user.record.id, { api: true, web: true });
    await page.getByLabel('Admin token').fill(user.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toMatch(/^This token is not an admin token/);
    expect(await stored()).toBeNull();
    await shot('not-admin');
  });

  it('signs in with the admin token and keeps it in local storage', async () => {
    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Access tokens', selected: true }).waitFor();
    expect(await stored()).toBe(adminToken);
    await expect.poll(() => page.locator('#session-name').textContent()).toBe('admin');
    await row('billing export').waitFor();
    await shot('access-tokens', 'access-tokens');
  });

  it('closes a dialog with Escape and puts focus back on its button', async () => {
    await page.getByRole('button', { name: 'Add access token' }).focus();
    await page.keyboard.press('Enter');
    await dialog('Add access token').waitFor();
    await expect.poll(focusedId).toBe('pat-name');
    await page.keyboard.press('Escape');
    await dialog('Add access token').waitFor({ state: 'hidden' });
    await expect.poll(focusedName).toBe('Add access token');
  });

  it('ADDs a PAT and shows it once, with a warning and a Copy button', async () => {
    await page.getByRole('button', { name: 'Add access token' }).click();
    const add = dialog('Add access token');
    await add.getByLabel('Name').fill('meter reader');
    await add.getByLabel('Role').selectOption('admin');
    await shot('add-dialog', 'add', add);
    await add.getByRole('button', { name: 'Create token' }).click();

    const once = dialog('Your new access token');
    await once.waitFor();
    patToken = await page.locator('#new-token').inputValue();
    expect(patToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await once.textContent()).toContain('It cannot be displayed again');
    await shot('show-once', 'show-once', once);

    await once.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('#secret-copied').textContent()).toContain('Copied');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(patToken);

    await once.getByRole('button', { name: /close/ }).click();
    await once.waitFor({ state: 'hidden' });
    // Gone from the page, and focus lands where the next step is.
    await expect.poll(() => page.locator('#new-token').inputValue()).toBe('');
    await expect.poll(focusedName).toBe('Authorise meter reader');
    expect(await row('meter reader').locator('.badge').textContent()).toBe('pending');
  });

  it('the new PAT is rejected while pending', async () => {
    const res = await session(patToken);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
  });

  it('AUTHORISEs it for the JSON API; then a plain HTTP request with it succeeds', async () => {
    await row('meter reader').getByRole('button', { name: 'Authorise meter reader' }).click();
    const authorise = dialog(/^Authorise/);
    await authorise.waitFor();
    await authorise.getByLabel('JSON API').check();
    // A shorter lifetime than the token's own; the browser runs in UTC.
    const until = new Date(Date.now() + 2 * 86_400_000);
    until.setUTCSeconds(0, 0);
    await authorise.getByLabel(/Shorter expiry/).fill(until.toISOString().slice(0, 16));
    await shot('authorise-dialog', 'authorise', authorise);
    await authorise.getByRole('button', { name: 'Authorise', exact: true }).click();
    await authorise.waitFor({ state: 'hidden' });
    await expect.poll(() => row('meter reader').locator('.badge').textContent()).toBe('active');
    expect(await row('meter reader').textContent()).toContain('JSON API');
    await shot('authorised', 'authorised');

    const res = await session(patToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ pat: { name: 'meter reader', role: 'admin' } });
    const pats = (await (
      await fetch(`${server.url}/admin/api/pats`, {
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).json()) as { name: string; api: boolean; web: boolean; expires_at: string }[];
    expect(pats.find((p) => p.name === 'meter reader')).toMatchObject({
      api: true,
      web: false,
      expires_at: until.toISOString(),
    });
    // Authorised for the JSON API only: not for the web page.
    expect((await session(patToken, { 'x-gridkey-interface': 'web' })).status).toBe(401);
  });

  it('REVOKEs it after a confirmation; every later request with it is rejected', async () => {
    await row('meter reader').getByRole('button', { name: 'Revoke meter reader' }).click();
    const confirm = dialog('Revoke access token');
    await confirm.waitFor();
    // Cancel has focus first: Enter does not revoke by accident.
    await expect.poll(focusedName).toBe('Cancel');
    await shot('revoke-confirm', 'revoke', confirm);
    await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
    await confirm.waitFor({ state: 'hidden' });
    await expect.poll(() => row('meter reader').locator('.badge').textContent()).toBe('revoked');
    // Its buttons are gone: focus goes to the section's heading, not lost.
    await expect.poll(focusedName).toBe('Access tokens');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('revoked');

    const res = await session(patToken);
    expect(res.status).toBe(401);
    expect((await session(patToken)).status).toBe(401);
  });

  it('filters the list by text and by status', async () => {
    await page.getByLabel('Status').selectOption('revoked');
    await expect.poll(() => page.locator('#pats-table tbody tr').count()).toBe(2);
    await page.getByLabel('Filter', { exact: true }).first().fill('meter');
    await expect.poll(() => page.locator('#pats-table tbody tr').count()).toBe(1);
    expect(await page.locator('#pats-count').textContent()).toMatch(
      /^1 of \d+ access tokens shown$/,
    );
    await shot('filtered');
    await page.getByLabel('Filter', { exact: true }).first().fill('');
    await page.getByLabel('Status').selectOption('');
  });

  it('uses the stored token after a reload', async () => {
    await page.reload();
    await page.getByRole('tab', { name: 'Access tokens', selected: true }).waitFor();
    await row('meter reader').waitFor();
  });

  it('lists clients (tabs work with the arrow keys) and rotates a secret, shown once', async () => {
    await page.getByRole('tab', { name: 'Access tokens' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Clients', selected: true }).waitFor();
    await row('meter-sync').waitFor();
    await shot('clients', 'clients');

    await row('meter-sync')
      .getByRole('button', { name: /^Rotate secret/ })
      .click();
    const confirm = dialog('Rotate client secret');
    await confirm.getByRole('button', { name: 'Rotate secret', exact: true }).click();
    const once = dialog('New client secret');
    await once.waitFor();
    const secret = await page.locator('#new-token').inputValue();
    expect(secret).not.toBe(meterSync.secret);
    await once.getByRole('button', { name: /close/ }).click();

    const token = (s: string) =>
      postForm(
        `${server.url}/oauth2/token`,
        { grant_type: 'client_credentials' },
        { authorization: basic(meterSync.id, s) },
      );
    expect((await token(secret)).status).toBe(200);
    expect((await token(meterSync.secret)).status).toBe(401);
  });

  it('lists login tokens and revokes one', async () => {
    await page.getByRole('tab', { name: 'Login tokens' }).click();
    await row('4f1c2b9e').waitFor();
    await shot('login-tokens', 'login-tokens');
    await row('9a8b7c6d')
      .getByRole('button', { name: /^Revoke/ })
      .click();
    await dialog('Revoke login token').getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => row('9a8b7c6d').locator('.badge').textContent()).toBe('revoked');
  });

  it('lists API keys and revokes one', async () => {
    await page.getByRole('tab', { name: 'API keys' }).click();
    await row('grafana').waitFor();
    expect(await row('grafana').textContent()).toMatch(/gk_/);
    await row('grafana')
      .getByRole('button', { name: /^Revoke/ })
      .click();
    await dialog('Revoke API key').getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => row('grafana').locator('.badge').textContent()).toBe('revoked');
    await shot('api-keys', 'api-keys');
  });

  it('shows the audit log, newest first', async () => {
    await page.getByRole('tab', { name: 'Audit log' }).click();
    // The first row is "Loading…" (one cell) until the entries come.
    const actionCells = page.locator('#audit-table tbody tr td:nth-child(3)');
    await actionCells.first().waitFor();
    const actions = await actionCells.allTextContents();
    expect(actions.slice(0, 6)).toEqual([
      'api_key.revoke',
      'login_token.revoke',
      'client.rotate_secret',
      'pat.revoke',
      'pat.authorise',
      'pat.create',
    ]);
    expect(await row('pat.create').textContent()).toContain('meter reader');
    await shot('audit', 'audit');
  });

  it('signs out: the token is removed from local storage', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await stored()).toBeNull();
    await shot('signed-out');
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.locator('#app').isHidden()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
