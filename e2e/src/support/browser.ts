import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); Playwright never downloads a browser here. */
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../artifacts/screenshots');

export interface BrowserHandle {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless Chromium that may play sound without a click (the stage test listens to two
 * pages at once). Playwright gives it a new empty profile and removes it on close.
 */
export async function launchChromium(): Promise<BrowserHandle> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests need it. ` +
        'On Debian: `apt-get install -y chromium` (.ci/run installs it), or set CHROMIUM_BIN.',
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** Everything a page reported as an error: console errors, uncaught exceptions, failed requests. */
export interface PageProblems {
  list: string[];
}

/** A new context (its own storage: another person) and page, recording what goes wrong in it. */
export async function openPage(browser: Browser, name: string): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: PageProblems = { list: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.list.push(`[${name}] console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.list.push(`[${name}] uncaught: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A blob the page revoked, or a request cut short by leaving the page, is not a failure of the app.
    const failure = req.failure()?.errorText ?? '';
    if (!req.url().startsWith('blob:') && !failure.includes('ERR_ABORTED')) problems.list.push(`[${name}] request failed: ${req.method()} ${req.url()} ${failure}`);
  });
  page.setDefaultTimeout(15_000);
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
