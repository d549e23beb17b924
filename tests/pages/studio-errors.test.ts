// The Studio's error states, each a clear message on the page: no WebGPU (and what to do), a file that is neither IDX
// nor safetensors, a safetensors file for another model, labels outside the classes.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { screenshot, startApp, type AppSession } from '../helpers/pages.js';

let app: AppSession;
/** One Studio page for the file tests (each file pick replaces the banners of the one before). */
let page: Page & { errors: string[] };
beforeAll(async () => {
  app = await startApp();
  page = await app.open(SMALL);
  await page.waitForFunction(() => document.body.dataset.state === 'paused', null, { timeout: 120_000 });
}, 240_000);
afterAll(async () => { await app?.close(); });

const SMALL = 'studio/?model=mlp&hidden=16&subset=100&batchSize=10&data=sample';

const banner = (page: Page, where: string) => page.locator(`.error-banner[data-where="${where}"]`);

function idx(type: number, dims: number[], body: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE((type << 8) | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, body]);
}

test('without WebGPU the page says so and what to do', async () => {
  const bare = await app.browser.newPage();
  await bare.addInitScript(() => { delete (Navigator.prototype as { gpu?: unknown }).gpu; });
  await bare.goto(app.url + SMALL);
  const text = await banner(bare, 'webgpu').textContent({ timeout: 30_000 });
  expect(text).toContain('WebGPU is not available');
  expect(text).toContain('Chrome');
  expect(await bare.locator('#play').isDisabled()).toBe(true);
  await screenshot(bare, 'studio-no-webgpu');
  await bare.close();
});

test('a file that is neither IDX nor safetensors is refused with its name', async () => {
  await page.setInputFiles('#files', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, these are not images') });
  const text = await banner(page, 'data').textContent({ timeout: 30_000 });
  expect(text).toContain('notes.txt');
  expect(text).toContain('not an IDX file');
  // The run on the earlier data is still there.
  expect(await page.locator('#data-info').textContent()).toContain('built-in sample');
  expect(page.errors).toEqual([]);
});

test('IDX labels outside the 10 classes are refused before training', async () => {
  const images = gzipSync(idx(0x08, [3, 28, 28], new Uint8Array(3 * 784).fill(7)));
  const labels = idx(0x08, [3], Uint8Array.of(1, 12, 3)); // plain (not gzipped) on purpose
  await page.setInputFiles('#files', [
    { name: 'my-train-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: images },
    { name: 'my-train-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: labels },
  ]);
  const text = await banner(page, 'data').textContent({ timeout: 30_000 });
  expect(text).toContain('label 12 at index 1 is outside the 10 classes (0–9)');
  await screenshot(page, 'studio-bad-labels');
});

test('good IDX files (gzip and plain) replace the data', async () => {
  const n = 40;
  const images = gzipSync(idx(0x08, [n, 28, 28], Uint8Array.from({ length: n * 784 }, (_, i) => (i * 37) % 256)));
  const labels = idx(0x08, [n], Uint8Array.from({ length: n }, (_, i) => i % 10));
  await page.setInputFiles('#files', [
    { name: 'train-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: images },
    { name: 'train-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: labels },
  ]);
  await page.waitForFunction(() => document.getElementById('data-info')!.textContent!.includes('your files'), null, { timeout: 60_000 });
  // 40 images, 10 % validation; no test pair given, so the gallery shows validation images.
  expect(await page.locator('#data-info').textContent()).toContain('36 training, 4 validation, 4 test images');
  expect(await page.locator('.error-banner').count()).toBe(0);
});

test('a safetensors file for another model says why it does not fit', async () => {
  // LeNet-5's first convolution, not this MLP's Linear.
  const bytes = encodeSafetensors(new Map([['0.weight', { dtype: 'F32', shape: [6, 1, 5, 5], data: new Float32Array(150) }]]), { format: 'pt' });
  await page.setInputFiles('#files', { name: 'lenet5.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  const text = await banner(page, 'load').textContent({ timeout: 30_000 });
  expect(text).toContain('lenet5.safetensors does not fit the chosen mlp model');
  expect(text).toContain('missing keys [1.weight, 1.bias, 3.weight, 3.bias], unexpected keys [0.weight]');
  await screenshot(page, 'studio-wrong-weights');
});

test('downloaded weights (safetensors with optimizer state) load back into the same model', async () => {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('#download')]);
  expect(download.suggestedFilename()).toMatch(/^wgsl-nn-mlp-step\d+\.safetensors$/);
  const file = await download.path();
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(file!);
  // safetensors: an 8-byte little-endian header length, then the JSON header with PyTorch names.
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString());
  expect(Object.keys(header)).toEqual(expect.arrayContaining(['1.weight', '1.bias', '3.weight', '3.bias', 'optimizer.state.0.exp_avg']));
  await page.setInputFiles('#files', { name: 'mine.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
  await page.waitForFunction(() => document.querySelector('#errors .notice')?.textContent?.includes('Loaded mine.safetensors'), null, { timeout: 60_000 });
  expect(await page.locator('#errors .notice').textContent()).toBe('Loaded mine.safetensors into the mlp model and its optimizer state.');
  expect(await banner(page, 'load').count()).toBe(0);
});
