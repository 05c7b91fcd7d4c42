import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/** Where browser tests leave their screenshots (git-ignored). */
export const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

/**
 * Debian's Chromium, headless, with the background networking off (this machine's network is
 * closed, and a browser test must contact nothing but the page under test).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** How long a console test waits for what the page should show. */
export const UI_TIMEOUT = 30_000;

/**
 * Opens the agent console in a fresh browser context (`options`: locale, viewport, downloads; an
 * init script runs before the page's own) and signs in with `apiKey`; resolves once its tabs show.
 */
export async function openConsole(
  browser: Browser,
  apiUrl: string,
  apiKey: string,
  options: BrowserContextOptions & { initScript?: string } = {},
): Promise<Page> {
  const { initScript, ...contextOptions } = options;
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, ...contextOptions });
  if (initScript) await context.addInitScript({ content: initScript });
  const page = await context.newPage();
  await page.goto(`${apiUrl}/console/`);
  await page.fill('#api-key', apiKey);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#tabs:not([hidden])', { timeout: UI_TIMEOUT });
  return page;
}

/** Saves a screenshot of the page under ARTIFACTS; its path. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, fullPage });
  return file;
}
