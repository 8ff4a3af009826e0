// `npm run screenshots`: the web console's pages in headless Chromium, as PNGs in
// docs/screenshots/ (the README shows them). Same data as the console test (console-fixture.ts).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUP, launchChromium, startConsoleFixture } from './console-fixture.js';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(path.join(tmpdir(), 'samsa-screenshots-'));
const f = await startConsoleFixture(dir);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const shot = async (name: string, url: string, prepare?: () => Promise<void>) => {
    await page.goto(f.url + url);
    await prepare?.();
    await page.screenshot({ path: path.join(out, `${name}.png`) });
    console.log(`docs/screenshots/${name}.png  ${url}`);
  };
  await shot('topics', '/');
  await shot('produce', '/topics/orders', async () => {
    await page.selectOption('#produce-form select[name=partition]', '1');
    await page.fill('#produce-form input[name=key]', 'customer-42');
    await page.fill('#produce-form textarea[name=value]', '{"order": 2001, "customer": "customer-42", "total": 99.5}');
    await page.fill('#produce-form textarea[name=headers]', 'source=console');
    await page.evaluate(() => document.querySelector('#produce-form')?.previousElementSibling?.scrollIntoView());
  });
  // The same form submitted: the topic page with the new message on top of the latest ones.
  await page.click('#produce-form button[type=submit]');
  await page.waitForSelector('#notice', { timeout: 60_000 });
  await page.screenshot({ path: path.join(out, 'topic.png') });
  console.log('docs/screenshots/topic.png  /topics/orders (after the produce)');
  await shot('binary-messages', '/topics/sensor-frames', async () => void (await page.evaluate(() => document.querySelectorAll('h2')[1]?.scrollIntoView())));
  await shot('group-lag', `/groups/${GROUP}`);
  await shot('message-browser', '/topics/orders/partitions/1?limit=8');
} finally {
  await browser.close();
  await f.close();
  rmSync(dir, { recursive: true, force: true });
}
