// The Studio's setup lives in the URL (a shared link reproduces it, hide= hides controls); hyperparameters change while
// it trains; the sanity-check panel gives pass/fail with numbers; runs survive a reload (IndexedDB).
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright';
import { screenshot, startApp, type AppSession } from '../helpers/pages.js';

let app: AppSession;
beforeAll(async () => { app = await startApp(); }, 120_000);
afterAll(async () => { await app?.close(); });

const SMALL = 'studio/?model=mlp&hidden=32&activation=tanh&subset=200&batchSize=16&data=sample&lr=0.003';

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.state === 'paused', null, { timeout: 120_000 });
}
const value = (page: Page, key: string) => page.$eval(`[name="${key}"]`, (el) => (el as HTMLInputElement).type === 'checkbox' ? String((el as HTMLInputElement).checked) : (el as HTMLInputElement).value);
type Debug = { studioDebug: { losses(): number[]; lrs(): number[]; setup(): Record<string, unknown> } };

test('a URL reproduces its setup, edits go back to the URL, hide= hides controls', async () => {
  const query = 'studio/?model=lenet5&activation=elu&init=he&batchNorm=1&optimizer=nesterov&momentum=0.8&lr=0.02&batchSize=8&schedule=step&gamma=0.3&stepEvery=2&subset=300&valFraction=0.2&seed=7&data=sample&hide=seed,download';
  const page = await app.open(query);
  await ready(page);
  const expected: Record<string, string> = { model: 'lenet5', activation: 'elu', init: 'he', batchNorm: 'true', optimizer: 'nesterov', momentum: '0.8', lr: '0.02', batchSize: '8', schedule: 'step', gamma: '0.3', stepEvery: '2', subset: '300', valFraction: '0.2', seed: '7', data: 'sample' };
  for (const [k, v] of Object.entries(expected)) expect(await value(page, k), k).toBe(v);
  expect(await page.locator('[data-control="seed"]').isHidden()).toBe(true);
  expect(await page.locator('#download').isHidden()).toBe(true);
  expect(await page.locator('[data-control="lr"]').isVisible()).toBe(true);
  // The worker built that model: LeNet-5 with batch norm and ELU, 300 images split 240 / 60.
  await page.waitForFunction(() => document.getElementById('summary')!.textContent!.includes('BatchNorm2d'), null, { timeout: 60_000 });
  const summary = await page.locator('#summary').textContent();
  expect(summary).toContain('Conv2d');
  expect(summary).toContain('ELU');
  expect(await page.locator('#data-info').textContent()).toContain('240 training, 60 validation');
  // An edit changes the URL, and that URL opens the same setup.
  await page.selectOption('[name="model"]', 'mlp');
  await page.fill('[name="hidden"]', '24,12');
  await page.press('[name="hidden"]', 'Tab');
  await page.waitForFunction(() => location.search.includes('hidden=24,12'));
  const url = new URL(page.url());
  expect(url.searchParams.get('model')).toBe('mlp');
  expect(url.searchParams.get('optimizer')).toBe('nesterov');
  expect(url.searchParams.get('hide')).toBe('seed,download');
  await page.waitForFunction(() => document.getElementById('summary')!.textContent!.includes('[8, 12]'), null, { timeout: 60_000 });
  const again = await app.open(`studio/${url.search}`);
  await ready(again);
  for (const k of ['model', 'hidden', 'optimizer', 'momentum', 'lr', 'batchSize', 'seed']) expect(await value(again, k), k).toBe(await value(page, k));
  await screenshot(again, 'studio-url-setup');
  expect(page.errors).toEqual([]);
  await page.close();
  await again.close();
}, 300_000);

test('the learning rate changes while it trains, without a new run', async () => {
  // Batch 20 divides the 180 training images: every step has one shape, so the step keeps one plan.
  const page = await app.open(SMALL.replace('batchSize=16', 'batchSize=20') + '&epochs=100');
  await ready(page);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 6, null, { timeout: 120_000 });
  await page.click('#pause');
  await page.waitForFunction(() => document.body.dataset.state === 'paused');
  expect(await page.evaluate(() => document.body.dataset.plans)).toBe('1');
  await page.click('#play');
  await page.fill('[name="lr"]', '0.0005');
  await page.press('[name="lr"]', 'Tab');
  await page.waitForFunction(() => (window as unknown as Debug).studioDebug.lrs().at(-1) === 0.0005, null, { timeout: 120_000 });
  const lrs = await page.evaluate(() => (window as unknown as Debug).studioDebug.lrs());
  // One run, one curve: the earlier steps kept their lr, the later ones have the new one.
  expect(lrs[0]).toBeCloseTo(0.003, 12);
  expect(lrs.at(-1)).toBe(0.0005);
  expect(lrs.findIndex((l) => l === 0.0005)).toBeGreaterThan(0);
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('running');
  await page.click('#pause');
  await page.waitForFunction(() => document.body.dataset.state === 'paused');
  // Same run, same plan: the new lr reached the GPU as data.
  expect(await page.evaluate(() => document.body.dataset.plans)).toBe('1');
  expect(page.errors).toEqual([]);
  await page.close();
}, 300_000);

test('a batch-size change mid-training re-plans the same run; a model change starts a new one and says so', async () => {
  const page = await app.open(SMALL.replace('batchSize=16', 'batchSize=20') + '&epochs=100');
  await ready(page);
  const runs = () => page.$$eval('#runs li', (lis) => lis.length);
  const runsBefore = await runs();
  await page.click('#play');
  await page.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 6, null, { timeout: 120_000 });
  await page.fill('[name="batchSize"]', '10');
  await page.press('[name="batchSize"]', 'Tab');
  await page.waitForFunction(() => document.getElementById('run-log')!.textContent!.includes('Batch size 20 → 10'), null, { timeout: 60_000 });
  const note = (await page.locator('#run-log').textContent())!;
  const at = Number(/after step (\d+)/.exec(note)![1]);
  expect(at).toBeGreaterThanOrEqual(6);
  const before = await page.evaluate(() => (window as unknown as Debug).studioDebug.losses());
  await page.waitForFunction((n) => Number(document.body.dataset.step ?? 0) >= n + 15, at, { timeout: 120_000 });
  await page.click('#pause');
  await page.waitForFunction(() => document.body.dataset.state === 'paused');
  const after = await page.evaluate(() => (window as unknown as Debug).studioDebug.losses());
  // The same curve goes on (no reset): the losses logged before the change are still its first ones, and it kept growing.
  expect(after.slice(0, before.length)).toEqual(before);
  expect(after.length).toBeGreaterThanOrEqual(at + 15);
  expect(after.every(Number.isFinite)).toBe(true);
  expect(Number(await page.evaluate(() => document.body.dataset.step))).toBeGreaterThanOrEqual(at + 15);
  expect(await runs()).toBe(runsBefore);
  // 180 training images in batches of 10, and the batch-20 plan was given back (one plan left).
  expect(await page.locator('#status').textContent()).toContain('(18 steps each)');
  expect(await page.evaluate(() => document.body.dataset.plans)).toBe('1');
  await screenshot(page, 'studio-batch-size-replan');
  // A model change is a new run, and the page says so.
  await page.fill('[name="hidden"]', '16');
  await page.press('[name="hidden"]', 'Tab');
  await page.waitForFunction(() => document.getElementById('errors')!.textContent!.includes('A new run started: changing hidden'));
  await page.waitForFunction((n) => document.querySelectorAll('#runs li').length === n + 1, runsBefore);
  expect(await page.locator('#run-log li').count()).toBe(0);
  expect(page.errors).toEqual([]);
  await page.close();
}, 300_000);

test('the sanity checks report pass/fail with their numbers', async () => {
  const page = await app.open(SMALL);
  await ready(page);
  await page.click('#sanity-run');
  await page.waitForFunction(() => document.querySelectorAll('#sanity li').length === 4 && !(document.getElementById('sanity-run') as HTMLButtonElement).disabled, null, { timeout: 240_000 });
  const rows = await page.$$eval('#sanity li', (lis) => lis.map((li) => li.textContent!));
  expect(rows[0]).toMatch(/^pass initial loss ≈ ln C.*loss 2\.\d+ vs ln 10 = 2\.303/);
  expect(rows[1]).toMatch(/^pass larger L2 raises the loss.*λ=0: [\d.]+, λ=0\.001/);
  expect(rows[2]).toMatch(/gradient check.*median relative error/);
  expect(rows[2]).toMatch(/^pass/); // a tanh MLP has no kinks: f32 central differences agree
  expect(rows[3]).toMatch(/^pass overfit 20 samples to 100 %.*training accuracy 100\.0 %/);
  await screenshot(page, 'studio-sanity');
  expect(page.errors).toEqual([]);
  await page.close();
}, 300_000);

test('runs are kept across a reload and overlaid', async () => {
  const page = await app.open(SMALL + '&epochs=1');
  await ready(page);
  await page.click('#play');
  await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 120_000 });
  await page.click('#new-run');
  await page.waitForFunction(() => document.querySelectorAll('#runs li').length >= 2);
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => document.querySelectorAll('#runs li').length >= 2, null, { timeout: 30_000 });
  const runs = await page.$$eval('#runs li', (lis) => lis.map((li) => li.textContent!));
  expect(runs.some((r) => /mlp 32 tanh · adam lr 0\.003 · batch 16.*12 logged steps, epoch 1: val acc/.test(r))).toBe(true);
  // Its curve is overlaid on the loss chart (a legend entry per shown run).
  expect(await page.locator('#chart-loss .u-legend').textContent()).toContain('mlp 32 tanh');
  expect(page.errors).toEqual([]);
  await page.close();
}, 300_000);

test('the layer view flags the lecture\'s collapse: a deep tanh MLP with small random weights', async () => {
  // Each 64-wide layer with 0.01·N(0,1) weights multiplies the activations' std by about 0.01·√64 = 0.08.
  const page = await app.open('studio/?model=mlp&hidden=64,64,64,64,64&activation=tanh&init=small&subset=100&batchSize=10&data=sample');
  await ready(page);
  await page.click('#step');
  await page.waitForFunction(() => document.querySelector('#layers p')?.textContent?.includes('training step 1'), null, { timeout: 120_000 });
  const rows = await page.$$eval('table.layers tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent!)));
  expect(rows.map((r) => r[0])).toEqual(['0 Flatten', '1 Linear+Tanh', '3 Linear+Tanh', '5 Linear+Tanh', '7 Linear+Tanh', '9 Linear+Tanh', '11 Linear']);
  const std = rows.map((r) => Number(r[2]));
  for (let i = 2; i < 6; i++) expect(std[i]! / std[i - 1]!).toBeLessThan(0.15);
  expect(rows[5]![5]).toMatch(/^collapsed to a constant/);
  expect(rows[1]![5]).toBe('ok');
  await screenshot(page, 'studio-collapse');
  expect(page.errors).toEqual([]);
  await page.close();
}, 300_000);
