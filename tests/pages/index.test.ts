// The app's landing page links every page of the app, and each linked page answers.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { APP_PAGES } from '../../demo/shared/nav.js';
import { screenshot, startApp, type AppSession } from '../helpers/pages.js';

let app: AppSession;
beforeAll(async () => { app = await startApp(); });
afterAll(async () => { await app?.close(); });

test('the landing page lists the app pages with working links', async () => {
  const page = await app.open('');
  const links = await page.$$eval('#pages a', (as) => as.map((a) => ({ text: a.textContent, href: (a as HTMLAnchorElement).href })));
  expect(links.map((l) => l.text)).toEqual(APP_PAGES.map((p) => p.title));
  expect(await page.locator('header.app-nav a.brand').textContent()).toBe('wgsl-nn');
  await screenshot(page, 'index');
  expect(page.errors).toEqual([]);
  await page.close();
});
