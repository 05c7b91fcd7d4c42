import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

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
