import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/**
 * Debian's chromium for the admin page's browser tests, driven by
 * playwright-core (never a downloaded browser), with the same launch options
 * as admin-page.e2e.test.ts.
 */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether Debian's chromium is here; under CI=true its absence is a failure, not a skip. */
export function chromiumAvailable(): boolean {
  const found = existsSync(CHROMIUM);
  if (!found && process.env.CI === 'true') {
    throw new Error(`${CHROMIUM} not found, and CI=true requires it (apt-get install chromium)`);
  }
  if (!found) {
    console.warn(
      `\n!!! ${CHROMIUM} not found: the admin page browser test is SKIPPED. Install Debian's chromium to run it.\n`,
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A context as the page's test uses: en-GB, UTC, light, at `viewport`. */
export function newAdminContext(
  browser: Browser,
  viewport = { width: 1200, height: 800 },
): Promise<BrowserContext> {
  return browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light' });
}
