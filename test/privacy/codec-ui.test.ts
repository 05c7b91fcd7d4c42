import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { freePort, startDevServer, type DevServer } from '../../temporal/dev-server';
import { endUser } from '../conversation/helpers';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, waitUntil } from '../support/whatsapp';

/**
 * The operator's steps of docs/privacy.md ("Reading Temporal histories as an operator") walked in
 * the Temporal UI that `npm start` runs (UI 2.54, from the pinned `temporal` CLI), in Chromium: the
 * labels the docs quote are the UI's own, and following them turns ciphertext into the payload.
 * The screenshots it takes are the ones in docs/ (`temporal-ui-codec-*.png`).
 */
describe('Temporal UI codec steps of docs/privacy.md, in the real UI', () => {
  let dev: DevServer;
  let stack: Stack;
  let browser: Browser;
  let uiPort: number;
  before(async () => {
    uiPort = await freePort();
    const apiPort = await freePort();
    const codec = `http://localhost:${apiPort}/codec`;
    dev = await startDevServer({ uiPort, codecEndpoint: codec }); // as npm start does
    stack = await startStack({
      temporalAddress: dev.address,
      apiPort,
      env: { AURA_CODEC_CORS_ORIGINS: `http://localhost:${uiPort}` },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await dev?.stop();
  });

  const shot = (what: Pick<Locator, 'screenshot'>, name: string) =>
    what.screenshot({ path: path.join(ARTIFACTS, `temporal-ui-codec-${name}.png`) });

  it("when the operator signs in, picks “Use my browser setting”, pastes the endpoint, includes cross-origin credentials and reloads, then the UI shows the conversation's input decoded", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const user = endUser(stack, client, '351910005001');
    await user.says('hello');
    await stack.graph.waitFor((sent) => sent.some((m) => m.body.to === '351910005001'));
    const apiOrigin = stack.apiUrl.replace('127.0.0.1', 'localhost');
    const workflowPage = `http://localhost:${uiPort}/namespaces/default/workflows/${encodeURIComponent(user.workflowId)}`;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

    await page.goto(workflowPage);
    // The decoded input is JSON with a "clientId" key; the ids in the page header are not payloads.
    const decoded = async () => (await page.locator('#content').innerText()).includes('"clientId"');
    // Without a session the cluster-level endpoint refuses the UI: ciphertext, and a banner says so.
    const couldNotConnect = page.locator('#content').getByText('Codec Server could not connect');
    await couldNotConnect.waitFor({ timeout: 20_000 });
    assert.equal(await decoded(), false, 'ciphertext before the steps');

    // 1. Sign in at /codec/login with the admin token (an 8-hour session cookie for /codec).
    await page.goto(`${apiOrigin}/codec/login`);
    await page.fill('input[name=token]', TEST_ADMIN_TOKEN);
    await page.click('button');
    await page.getByText('Signed in').waitFor();

    // 2. In the UI, open the Codec Server dialog (the icon in the top bar).
    await page.goto(workflowPage);
    await couldNotConnect.waitFor({ timeout: 20_000 }); // settled: the icon re-renders until the UI has tried
    const icon = page.getByRole('button', { name: 'Codec Server could not connect' });
    await icon.click();
    const dialog = page.getByRole('dialog', { name: 'Codec Server' });
    await dialog.waitFor();
    await shot(dialog, '1-dialog');
    // 3. Choose "Use my browser setting and ignore Cluster-level setting."
    await dialog.getByText('Use my browser setting and ignore Cluster-level setting.').click();
    // 4. Paste the endpoint into "Codec Server browser endpoint".
    await dialog.getByPlaceholder('Paste your endpoint here').fill(`${apiOrigin}/codec`);
    // 5. Turn on "Include cross-origin credentials".
    await dialog.getByText('Include cross-origin credentials').click();
    await shot(dialog, '2-browser-setting');
    // 6. Apply, then reload the page.
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.reload();
    await waitUntil(decoded, 20_000, 'the input decoded');
    const inputCard = page.locator('#content h3').getByText('Input', { exact: true }).locator('..');
    await shot(inputCard, '3-decoded');
    await page.close();
  });
});
