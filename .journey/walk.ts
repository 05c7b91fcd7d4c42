import { chromium } from 'playwright-core';
const KEY = process.argv[2]!;
const OUT = '/work/journey';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function main() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  for (const [lang, locale, texts] of [
    ['pt', 'pt-PT', ['olá', 'onde está a minha encomenda?', 'SB-1001', 'quanto custa enviar para Espanha?', 'Lisboa', 'vocês abrem no sábado?', 'quero falar com uma pessoa']],
    ['es', 'es-ES', ['hola', '¿a qué hora abren el sábado?', '¿puedo devolver una camiseta?', 'quiero hablar con una persona']],
    ['en', 'en-US', ['hello', 'how much is shipping to Portugal?', '1100-053', 'can I send back a mug?', 'I want to talk to a person']],
  ] as const) {
    const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto('http://localhost:3000/sandbox');
    await page.selectOption('#lang', lang).catch(() => undefined);
    await page.selectOption('#number', '100000000001');
    const users = await page.locator('#user option').count();
    await page.selectOption('#user', { index: lang === 'es' ? 1 % users : 0 });
    if (lang === 'en') await page.selectOption('#user', { index: Math.min(2, users - 1) });
    for (const t of texts) {
      const before = await page.locator('.bubble.bot').count();
      await page.fill('#text', t);
      await page.press('#text', 'Enter');
      await page.locator('.bubble.bot').nth(before).waitFor({ timeout: 30_000 }).catch(() => console.log('no reply to', t));
      await sleep(1500);
    }
    await page.screenshot({ path: `${OUT}/sandbox-${lang}.png`, fullPage: true });
    const bubbles = await page.locator('.bubble').allInnerTexts();
    console.log(`--- sandbox ${lang}`);
    for (const b of bubbles) console.log('  ', b.replace(/\s+/g, ' ').slice(0, 160));
    // The console, in the same language
    const c = await ctx.newPage();
    await c.goto('http://localhost:3000/console/');
    await c.fill('#api-key', KEY);
    await c.press('#api-key', 'Enter');
    await sleep(2500);
    await c.screenshot({ path: `${OUT}/console-queue-${lang}.png` });
    const first = c.locator('#list li').first();
    if (await first.count()) {
      await first.click();
      await sleep(2500);
      await c.click('#accept').catch(() => undefined);
      await sleep(2000);
      await c.screenshot({ path: `${OUT}/console-conv-${lang}.png` });
      console.log(`--- console ${lang}: title`, await c.locator('#conv-title').innerText(), '| card:', (await c.locator('#card-body').innerText()).replace(/\s+/g, ' ').slice(0, 300));
      await c.fill('#reply', lang === 'pt' ? 'Olá, sou a Ana, vou ajudar.' : lang === 'es' ? 'Hola, soy Ana.' : 'Hi, Ana here.');
      await c.press('#reply', 'Enter');
      await sleep(2000);
      await c.click('#resolve').catch(() => undefined);
      await sleep(2000);
      await c.screenshot({ path: `${OUT}/console-resolved-${lang}.png` });
    }
    await ctx.close();
  }
  await browser.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
