// The Studio's Search panel in real Chromium, WebGPU on SwiftShader: a random search of 3 learning rates on the built-in
// sample with a tiny MLP; each trial's validation curve is overlaid as it fills, the table is sorted by the metric,
// training is refused while the search holds the device, and "use this" loads a trial's configuration into the
// controls and the URL.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { canvasColours, screenshot, startApp, type AppSession } from '../helpers/pages.js';

let app: AppSession;
beforeAll(async () => { app = await startApp(); }, 120_000);
afterAll(async () => { await app?.close(); });

/** 200 sample images (180 train / 20 val), an MLP with 16 hidden units, batch 16. */
const SMALL = 'studio/?model=mlp&hidden=16&subset=200&batchSize=16&data=sample&optimizer=sgd&lr=0.05';

type Debug = { studioDebug: { searchCurves(): Record<number, number>; setup(): Record<string, unknown> } };

test('a search of 3 trials: a curve per trial, a sorted table, "use this" sets the controls and the URL', async () => {
  const page = await app.open(SMALL);
  await page.waitForFunction(() => document.body.dataset.state === 'paused', null, { timeout: 120_000 });
  await page.click('#search summary');
  // Learning rate only (the default tick), on a log range; 3 random trials of 16 steps (a validation every 2 steps).
  await page.fill('[name=search-lr-min]', '0.001');
  await page.fill('[name=search-lr-max]', '0.5');
  await page.fill('[name=search-trials]', '3');
  await page.fill('[name=search-budget]', '16');
  await page.selectOption('[name=search-unit]', 'steps');
  await page.click('#search-start');
  // Training cannot take the device while the search holds it.
  await page.click('#play');
  await page.waitForFunction(() => document.querySelector('.error-banner[data-where="search"]')?.textContent?.includes('search is using the GPU'), null, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('#search-panel')?.getAttribute('data-search-state') === 'done', null, { timeout: 120_000 });

  // The refusal goes once the device is free again.
  expect(await page.locator('.error-banner').count()).toBe(0);
  const rows = await page.$$eval('table.search-table tbody tr', (trs) => trs.map((tr) => ({
    index: Number((tr as HTMLElement).dataset.index), score: Number((tr as HTMLElement).dataset.score), config: tr.querySelector('.config')!.textContent!, status: tr.children[3]!.textContent!,
  })));
  expect(rows.length).toBe(3);
  expect(rows.map((r) => r.index).sort()).toEqual([0, 1, 2]);
  // Sorted by validation loss, lowest first; a diverged trial (NaN) only at the end.
  const finite = rows.filter((r) => Number.isFinite(r.score));
  for (let i = 1; i < finite.length; i++) expect(finite[i]!.score).toBeGreaterThanOrEqual(finite[i - 1]!.score);
  const firstDiverged = rows.findIndex((r) => !Number.isFinite(r.score));
  if (firstDiverged >= 0) for (const r of rows.slice(firstDiverged)) expect(r.status).toContain('diverged');
  for (const r of finite) expect(r.score).toBeGreaterThan(0);
  // A curve per trial with a point per validation (16 steps / 2), and the chart drawn in several colours.
  const curves = await page.evaluate(() => (window as unknown as Debug).studioDebug.searchCurves());
  expect(Object.keys(curves).map(Number).sort()).toEqual([0, 1, 2]);
  for (const n of Object.values(curves)) expect(n).toBeGreaterThanOrEqual(firstDiverged >= 0 ? 1 : 8);
  expect(await canvasColours(page, '#search-chart canvas')).toBeGreaterThan(4);
  expect(await page.locator('#search-status').textContent()).toContain('3 of 3 trials finished');
  await screenshot(page, 'studio-search');

  // "use this" on the last row: its learning rate lands in the control and the URL.
  const pick = rows[rows.length - 1]!;
  const lr = Number(/lr=([\d.e-]+)/.exec(pick.config)![1]);
  await page.locator('table.search-table tbody tr').last().locator('button').click();
  await page.waitForFunction((want) => Math.abs(Number((window as unknown as Debug).studioDebug.setup().lr) / want - 1) < 2e-3, lr);
  expect(Number(await page.inputValue('[name=lr]')) / lr).toBeCloseTo(1, 2);
  const urlLr = Number(new URL(page.url()).searchParams.get('lr'));
  expect(urlLr / lr).toBeCloseTo(1, 2);
  expect(new URL(page.url()).searchParams.get('hidden')).toBe('16');
  expect(page.errors).toEqual([]);
  await page.close();
}, 200_000);

const rowsOf = (page: import('playwright').Page) => page.$$eval('table.search-table tbody tr', (trs) => trs.map((tr) => ({
  index: Number((tr as HTMLElement).dataset.index), score: Number((tr as HTMLElement).dataset.score), config: tr.querySelector('.config')!.textContent!, status: tr.children[3]!.textContent!,
})));
const searchState = (page: import('playwright').Page) => page.evaluate(() => document.querySelector('#search-panel')?.getAttribute('data-search-state') ?? '');
const totalPoints = (page: import('playwright').Page) => page.evaluate(() => Object.values((window as unknown as Debug).studioDebug.searchCurves()).reduce((a, b) => a + b, 0));

test('grid search: a diverging learning rate is marked and ranked last; pause holds the search, stop ends it and frees the device', async () => {
  const page = await app.open(SMALL);
  await page.waitForFunction(() => document.body.dataset.state === 'paused', null, { timeout: 120_000 });
  await page.click('#search summary');
  // Grid of 2 learning rates on a log range: 0.01 and 1e6 (SGD at 1e6 overflows within a few steps).
  await page.selectOption('[name=search-mode]', 'grid');
  await page.fill('[name=search-grid]', '2');
  await page.fill('[name=search-lr-min]', '0.01');
  await page.fill('[name=search-lr-max]', '1000000');
  await page.fill('[name=search-budget]', '12');
  await page.selectOption('[name=search-unit]', 'steps');
  await page.click('#search-start');
  await page.waitForFunction(() => document.querySelector('#search-panel')?.getAttribute('data-search-state') === 'done', null, { timeout: 120_000 });
  const rows = await rowsOf(page);
  expect(rows.map((r) => r.config)).toEqual(['lr=0.01', 'lr=1000000']);
  expect(rows[0]!.status).toBe('done');
  expect(rows[1]!.status).toContain('diverged');
  expect(await page.locator('table.search-table tbody tr.diverged td.score').textContent()).toBe('—');

  // A long random search: pause holds it (no new points), resume goes on, stop ends it before every trial ran.
  await page.selectOption('[name=search-mode]', 'random');
  await page.fill('[name=search-lr-max]', '0.5');
  await page.fill('[name=search-trials]', '8');
  await page.fill('[name=search-budget]', '120');
  await page.click('#search-start');
  await page.waitForFunction(() => Object.keys((window as unknown as Debug).studioDebug.searchCurves()).length > 0, null, { timeout: 60_000 });
  await page.click('#search-pause');
  await page.waitForFunction(() => document.querySelector('#search-panel')?.getAttribute('data-search-state') === 'paused', null, { timeout: 60_000 });
  const held = await totalPoints(page);
  await page.waitForTimeout(1500);
  expect(await totalPoints(page)).toBe(held);
  await page.click('#search-pause'); // now "Resume"
  await page.waitForFunction((n) => Object.values((window as unknown as Debug).studioDebug.searchCurves()).reduce((a, b) => a + b, 0) > n, held, { timeout: 60_000 });
  await page.click('#search-stop');
  await page.waitForFunction(() => document.querySelector('#search-panel')?.getAttribute('data-search-state') === 'stopped', null, { timeout: 60_000 });
  // Finished trials first, then those the stop cut short (each with its best validation so far), never all 8.
  const after = await rowsOf(page);
  const cut = after.filter((r) => r.status.startsWith('stopped at step'));
  expect(cut.length).toBeGreaterThan(0);
  expect(after.length).toBeLessThan(8);
  expect(after.slice(-cut.length)).toEqual(cut);
  for (const r of cut) expect(Number.isFinite(r.score)).toBe(true);
  expect(await page.locator('#search-start').isEnabled()).toBe(true);
  // The device is free: training runs again.
  await page.click('#play');
  await page.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 2, null, { timeout: 60_000 });
  expect(await searchState(page)).toBe('stopped');
  await screenshot(page, 'studio-search-stopped');
  expect(page.errors).toEqual([]);
  await page.close();
}, 200_000);
