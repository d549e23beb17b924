// `npm run bench -- playground` (part 2): frames per second of each playground page while it trains, in headless
// Chromium (WebGPU; SwiftShader on a machine without a GPU), served by the app's Vite dev server. A frame is one
// worker round trip: the optimizer race advances `speed` compiled steps and reads the positions back; the
// classification playground trains `speed` steps and evaluates the grid. Both pages run with speed=1 here, so
// frames/s = steps/s, measured over a window after a warm-up (5 frames, then PLAYGROUND_WARMUP_MS).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startApp } from '../../tests/helpers/pages.js';
import { machineInfo, outDir } from './common.js';

const WARMUP_MS = Number(process.env.PLAYGROUND_WARMUP_MS || 5_000);
const WINDOW_MS = Number(process.env.PLAYGROUND_WINDOW_MS || 30_000);

const stepOf = (text: string | null) => Number(/step (\d+)/.exec(text ?? '')?.[1] ?? 0);

const app = await startApp();
const adapter = await (await app.open('')).evaluate(async () => {
  const a = await navigator.gpu?.requestAdapter();
  return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : 'none';
});
const results: { page: string; framesPerSecond: number; steps: number; seconds: number }[] = [];
for (const [name, url] of [['optimizer playground (7 optimizers, Rosenbrock)', 'optimizers/?speed=1'], ['classification playground (default MLP, spirals)', 'classify/?speed=1']] as const) {
  const page = await app.open(url);
  await page.waitForFunction(() => /step \d+/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 120_000 });
  await page.click('#play');
  // Warm-up: the first frames trace the compiled steps and build their pipelines (slow on SwiftShader).
  await page.waitForFunction(() => Number(/step (\d+)/.exec(document.querySelector('#status')?.textContent ?? '')?.[1] ?? 0) >= 5, null, { timeout: 600_000 });
  await page.waitForTimeout(WARMUP_MS);
  const s0 = stepOf(await page.locator('#status').textContent()), t0 = Date.now();
  await page.waitForTimeout(WINDOW_MS);
  const s1 = stepOf(await page.locator('#status').textContent()), seconds = (Date.now() - t0) / 1000;
  await page.click('#play');
  const r = { page: name, framesPerSecond: +((s1 - s0) / seconds).toFixed(2), steps: s1 - s0, seconds: +seconds.toFixed(1) };
  results.push(r);
  console.log(`${name.padEnd(52)} ${r.framesPerSecond.toFixed(2).padStart(7)} frames/s (${r.steps} frames in ${r.seconds} s)`);
  if (page.errors.length) console.log(`  page errors: ${page.errors.join('; ')}`);
  await page.close();
}
await app.close();
const dir = outDir(process.argv.slice(2));
mkdirSync(dir, { recursive: true });
const timestamp = new Date().toISOString();
const file = path.join(dir, `playground-fps-${timestamp.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ backend: 'playground-fps', timestamp, machine: machineInfo({ adapter }), warmupMs: WARMUP_MS, windowMs: WINDOW_MS, results }, null, 2)}\n`);
console.log(`adapter: ${adapter}\nwrote ${file}`);
process.exit(0);
