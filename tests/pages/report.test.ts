import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import { describe, expect, it } from 'vitest';
import { reportHtml } from '../../app/report/html.js';
import { readReportAssets } from '../../scripts/train-main.js';
// @ts-expect-error: a plain .mjs build script without declarations
import { buildReportPage } from '../../scripts/build-report-page.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';
import type { TrainingRun } from '../../src/report/training.js';
import { canvasColours, SCREENSHOT_DIR, screenshot } from '../helpers/pages.js';

// The CLI's report.html as `npm run train` writes it (the real bundled chart script), opened from disk in
// Chromium: every chart draws, with a point per logged step.
function run(): TrainingRun {
  const steps = Array.from({ length: 170 }, (_, i) => ({
    step: i + 1, epoch: i < 85 ? 1 : 2, batch: (i % 85) + 1, batches: 85, loss: 2.3 * Math.exp(-i / 40) + 0.4 + 0.08 * Math.sin(i * 1.7), lr: 0.001 * (1 + Math.cos((Math.PI * i) / 170)) / 2,
  }));
  return {
    command: 'npm run train -- --epochs 2 --subset 6000 --schedule cosine', startedAt: '2025-01-01T00:00:00.000Z', platform: 'test', adapter: 'none',
    model: 'lenet5', parameters: 61706, options: { epochs: 2, batchSize: 64, lr: 0.001, optimizer: 'adam', subset: 6000, seed: 1, valFraction: 0.1 },
    studioUrl: 'http://localhost:5173/studio/?epochs=2&subset=6000&schedule=cosine',
    data: { trainSamples: 5400, testSamples: 2000 },
    epochs: [
      { epoch: 1, trainLoss: 0.9, trainAcc: 0.68, valLoss: 0.7, valAcc: 0.74, lr: 0.0005, samplesPerSec: 410, seconds: 14 },
      { epoch: 2, trainLoss: 0.6, trainAcc: 0.78, valLoss: 0.55, valAcc: 0.8, lr: 0, samplesPerSec: 430, seconds: 13 },
    ],
    steps, test: { loss: 0.56, accuracy: 0.7912 }, samplesPerSec: 420, timings: { trainSeconds: 27, recipeSeconds: 40, wallSeconds: 45 },
  };
}

describe('report.html', () => {
  it('draws the loss, accuracy and learning-rate charts from the embedded run', async () => {
    const dir = path.join(SCREENSHOT_DIR, 'report-assets');
    await buildReportPage(dir);
    const assets = readReportAssets(dir)!;
    expect(assets.css).toContain('.u-legend');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, 'report.html');
    writeFileSync(file, reportHtml(run(), assets));
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-drawn=true]', { timeout: 30_000 });
      for (const id of ['loss', 'accuracy', 'lr']) expect(await canvasColours(page, `#${id} canvas`), id).toBeGreaterThan(3);
      expect(await page.$$eval('#loss .u-legend .u-series', (s) => s.map((e) => e.textContent!.trim()))).toEqual(['loss per step', 'smoothed', 'validation']);
      expect(await page.textContent('body')).toContain('170 logged steps');
      await page.click('#log-y');
      await page.waitForTimeout(100);
      expect(await canvasColours(page, '#loss canvas')).toBeGreaterThan(3);
      await screenshot(page, 'report');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
