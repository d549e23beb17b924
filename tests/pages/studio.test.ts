// The Studio (demo/studio/) in real Chromium, WebGPU on SwiftShader: a small MLP on the built-in sample trains in the
// worker, the loss falls, every view draws, pause stops the steps, the URL reproduces the setup, and each error state
// shows its message on the page.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright';
import { canvasColours, screenshot, startApp, type AppSession } from '../helpers/pages.js';

let app: AppSession;
beforeAll(async () => { app = await startApp(); }, 120_000);
afterAll(async () => { await app?.close(); });

/** Small enough for SwiftShader: 200 sample images (180 train / 20 val), batch 16, 3 epochs of 12 steps. */
const SMALL = 'studio/?model=mlp&hidden=32&activation=tanh&subset=200&batchSize=16&epochs=3&data=sample&lr=0.003';

const step = (page: Page) => page.evaluate(() => Number(document.body.dataset.step ?? 0));
const stateOf = (page: Page) => page.evaluate(() => document.body.dataset.state ?? '');

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.state === 'paused', null, { timeout: 120_000 });
}

test('trains in the worker: the loss falls, every view draws, pause stops the steps', async () => {
  const page = await app.open(SMALL);
  await ready(page);
  expect(await page.locator('#data-info').textContent()).toContain('built-in sample');
  await page.click('#play');
  await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 240_000 });
  // Loss curve: first vs last logged losses (36 steps); the smoothed curve's end must lie below its start.
  const losses = await page.evaluate(() => (window as unknown as { studioDebug: { losses(): number[] } }).studioDebug.losses());
  expect(losses.length).toBe(36);
  for (const l of losses) expect(Number.isFinite(l)).toBe(true);
  const head = losses.slice(0, 5).reduce((a, b) => a + b) / 5, tail = losses.slice(-5).reduce((a, b) => a + b) / 5;
  expect(head).toBeGreaterThan(1.8); // ≈ ln 10 at the start
  expect(tail).toBeLessThan(head * 0.75);
  // Views: charts and canvases drawn, numbers in range.
  // The views the page asks for when training ends, drawn from the final weights (the last step computed the layer statistics).
  await page.waitForFunction(() => document.getElementById('gallery-acc')!.textContent!.includes('step 36') && document.querySelector('#layers p')?.textContent?.includes('training step 36'), null, { timeout: 60_000 });
  for (const sel of ['#chart-loss canvas', '#chart-acc canvas', '#chart-lr canvas', '#chart-samples canvas', '#chart-steps canvas', '#filters', '#confusion', 'canvas.hist']) {
    expect(await canvasColours(page, sel), sel).toBeGreaterThan(2);
  }
  const acc = await page.locator('#confusion-epoch').textContent();
  const valAcc = Number(/([\d.]+) % correct/.exec(acc!)![1]);
  expect(valAcc).toBeGreaterThanOrEqual(0);
  expect(valAcc).toBeLessThanOrEqual(100);
  const layerRows = await page.$$eval('table.layers tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  // Flatten, the Linear with its Tanh fused, the output Linear: statistics of the last training step.
  expect(layerRows.map((r) => r[0])).toEqual(['0 Flatten', '1 Linear+Tanh', '3 Linear']);
  for (const r of layerRows) expect(Number(r[2])).toBeGreaterThan(0); // std
  expect(Math.abs(Number(layerRows[1]![1]))).toBeLessThan(1); // a tanh's mean is inside (−1, 1)
  const paramRows = await page.$$eval('table.params tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  expect(paramRows.map((r) => r[0])).toEqual(['1.weight', '1.bias', '3.weight', '3.bias']);
  for (const r of paramRows) expect(Number(r[2])).toBeGreaterThan(0); // gradient norm
  expect(await page.locator('#gallery figure').count()).toBe(24);
  const summary = await page.locator('#summary').textContent();
  expect(await page.locator('#summary').getAttribute('data-parameters')).toBe('25450'); // 784·32 + 32 + 32·10 + 10
  expect(summary).toMatch(/1 Linear\s+\[16, 32\]\s+25,120/);
  expect(summary).toMatch(/Compiled step: \d+ dispatches/);
  await screenshot(page, 'studio-trained');
  expect(page.errors).toEqual([]);
  await page.close();
}, 400_000);

test('one step measures the update/weight ratio; pause stops the steps; one step advances by one', async () => {
  const page = await app.open(SMALL.replace('epochs=3', 'epochs=50'));
  await ready(page);
  // Adam's first update moves every parameter with a nonzero gradient by exactly lr (m̂/√v̂ = ±1): for the 32 biases
  // of the tanh layer ‖Δb‖ = 0.003·√32, and the page's ratio ‖Δw‖/‖w‖ times ‖w‖ must give it back.
  await page.click('#step');
  await page.waitForFunction(() => {
    const l = (window as unknown as { studioDebug: { layers(): { step: number } | null } }).studioDebug.layers();
    return l !== null && l.step === 1;
  }, null, { timeout: 60_000 });
  const params = await page.evaluate(() => (window as unknown as { studioDebug: { layers(): { params: { name: string; updateRatio: number; weightNorm: number }[] } } }).studioDebug.layers().params);
  const bias = params.find((p) => p.name === '1.bias')!;
  expect(bias.updateRatio * bias.weightNorm).toBeCloseTo(0.003 * Math.sqrt(32), 5);
  for (const p of params) expect(p.updateRatio).toBeGreaterThan(0);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 8, null, { timeout: 120_000 });
  await page.click('#pause');
  await page.waitForFunction(() => document.body.dataset.state === 'paused', null, { timeout: 60_000 });
  const at = await step(page);
  await page.waitForTimeout(1500);
  expect(await step(page)).toBe(at);
  expect(await stateOf(page)).toBe('paused');
  await page.click('#step');
  await page.waitForFunction((n) => Number(document.body.dataset.step) === n + 1, at, { timeout: 60_000 });
  expect(page.errors).toEqual([]);
  await page.close();
}, 300_000);
