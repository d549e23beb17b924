// `npm run bench -- browser`: serves bench/page/ with Vite's dev server (src/ and its WGSL `?raw` imports
// compiled on the fly), opens it in headless Chromium with WebGPU (SwiftShader when there is no GPU)
// through Playwright, waits for the page's suite, prints its tables and writes bench/results/browser-*.json.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { CHROMIUM_ARGS } from '../../scripts/chromium.js';
import type { BenchReport } from '../suite/types.js';
import { machineInfo, outDir, writeReport } from './common.js';

const argv = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`Chromium not found at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  process.exit(1);
}
/**
 * Flags that give headless Chromium WebGPU (on the CPU through SwiftShader when there is no GPU). Developer
 * features turn off Chromium's 100 µs quantization of timestamp queries, which the GPU-time profile reads.
 */
const args = [
  ...CHROMIUM_ARGS, '--enable-webgpu-developer-features', '--headless=new',
  ...(process.env.CHROMIUM_ARGS ? process.env.CHROMIUM_ARGS.split(' ') : []),
];
const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS || 45 * 60_000);

const server = await createServer({
  root,
  configFile: false,
  logLevel: 'warn',
  clearScreen: false,
  // No HMR and no file watching: edits under src/ while the suite runs must not reload the page (which
  // would restart the suite); the page measures the tree as it was when loaded.
  server: { host: 'localhost', port: 5187, strictPort: false, hmr: false, watch: null },
  optimizeDeps: {
    entries: ['bench/page/index.html'],
    include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'],
  },
});
await server.listen();
const base = server.resolvedUrls?.local[0] ?? 'http://localhost:5187/';
const pageArgs = argv.filter((a, i) => a !== '--out' && argv[i - 1] !== '--out');
const url = `${base}bench/page/index.html?args=${encodeURIComponent(pageArgs.join(' '))}`;

const browser = await chromium.launch({ executablePath, args, headless: true });
let exitCode = 0;
try {
  const version = browser.version();
  const page = await browser.newPage();
  page.on('console', (m) => {
    const t = m.text();
    if (m.type() === 'error' || m.type() === 'warning') console.error(`[page ${m.type()}] ${t}`);
    else console.log(t);
  });
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  console.log(`browser: Chromium ${version} → ${url}`);
  await page.goto(url);
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) console.error('[bench] the page navigated/reloaded: the suite restarted');
  });
  await page.waitForFunction(() => window.__bench && window.__bench.state !== 'running', null, { timeout: timeoutMs, polling: 1000 });
  const result = await page.evaluate(() => window.__bench!);
  if (result.state !== 'done' || !result.report) throw new Error(`page failed: ${result.error}`);
  const report: BenchReport = result.report;
  report.machine = { ...machineInfo({ chromium: version, chromiumArgs: args }), page: report.machine };
  console.log(`wrote ${writeReport(report, outDir(argv))}`);
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await browser.close();
  await server.close();
}
process.exit(exitCode);
