// The classification playground driven in Chromium as a person would: train the default network on the spirals,
// change the network and the data, click points in, check the URL; the map, thumbnails and chart must show it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright';
import { canvasColours, screenshot, startApp, type AppSession } from '../helpers/pages.js';

let app: AppSession;
beforeAll(async () => { app = await startApp(); });
afterAll(async () => { await app?.close(); });

const stepAtLeast = (page: Page, n: number) =>
  page.waitForFunction((k) => Number(/step (\d+)/.exec(document.querySelector('#status')!.textContent!)?.[1] ?? 0) >= k, n, { timeout: 120_000 });
const trainAccuracy = async (page: Page) => Number(/train loss [\d.]+, accuracy ([\d.]+) %/.exec((await page.locator('#status').textContent())!)![1]);

test('classification playground: the default network learns the spirals, live', async () => {
  // 20 steps per frame: fewer grid evaluations on SwiftShader for the same training.
  const page = await app.open('classify/?speed=20');
  await stepAtLeast(page, 0);
  // 3 hidden layers × 16 units: 48 thumbnails.
  expect(await page.locator('#units canvas').count()).toBe(48);
  await page.click('#play');
  await stepAtLeast(page, 240);
  await page.click('#play');
  expect(await trainAccuracy(page)).toBeGreaterThan(80);
  expect(await canvasColours(page, '#map')).toBeGreaterThan(20);
  expect(await canvasColours(page, '#units canvas >> nth=5')).toBeGreaterThan(4);
  expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
  await screenshot(page, 'classify-spirals');
  expect(page.errors).toEqual([]);
  await page.close();
});

test('classification playground: blobs with 4 classes, a shallow tanh network with batch norm, then clicked points', async () => {
  const page = await app.open('classify/?dataset=blobs&classes=4&depth=1&bn=1&optimizer=momentum&schedule=cosine&speed=20');
  await stepAtLeast(page, 0);
  expect(await page.locator('#units canvas').count()).toBe(16);
  await page.selectOption('#activation', 'tanh');
  await page.check('#l2-on');
  for (const key of ['dataset=blobs', 'classes=4', 'depth=1', 'activation=tanh', 'bn=1', 'optimizer=momentum', 'schedule=cosine', 'l2=0.001']) expect(page.url()).toContain(key);
  expect(await page.locator('#units .layer-title').textContent()).toBe('layer 1: 16 × tanh');
  await page.click('#play');
  await stepAtLeast(page, 100);
  await page.click('#play');
  expect(await trainAccuracy(page)).toBeGreaterThan(90);
  await screenshot(page, 'classify-blobs');

  // Clicking switches to your own points (the current ones kept) and adds one of the picked class.
  const before = await page.evaluate(() => new URL(location.href).searchParams.get('pts'));
  expect(before).toBeNull();
  await page.click('#picker button[data-class="2"]');
  const box = (await page.locator('#map').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
  expect(await page.locator('#dataset').inputValue()).toBe('custom');
  const pts = (await page.evaluate(() => new URL(location.href).searchParams.get('pts')))!.split(',').map(Number);
  expect(pts.slice(-3)).toEqual([0, 0, 2]);
  await stepAtLeast(page, 0);
  await page.click('#step');
  await stepAtLeast(page, 1);
  expect(page.errors).toEqual([]);
  await page.close();
});

test('classification playground: the URL sets the page up and hide= hides controls', async () => {
  const page = await app.open('classify/?dataset=flower&depth=0&hide=network,units');
  await stepAtLeast(page, 0);
  expect(await page.locator('#dataset').inputValue()).toBe('flower');
  expect(await page.locator('#units').textContent()).toContain('logistic regression');
  expect(await page.locator('[data-control="network"]').isHidden()).toBe(true);
  expect(await page.locator('[data-control="units"]').isHidden()).toBe(true);
  expect(page.errors).toEqual([]);
  await page.close();
});
