// The default path of `npm run train`: Vite's dev server serves demo/train/ (the library compiled from src/
// on the fly) and Fashion-MNIST, and headless Chromium with WebGPU (SwiftShader without a GPU) runs it.
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright';
import { createServer, type Plugin } from 'vite';
import { FASHION_MNIST_DIR } from '../src/data/fashion-mnist.js';
import type { BrowserResult, PageMessage } from '../demo/train/main.js';
import { DATA_FILES } from './train-options.js';
import type { RunnerIo, SessionRequest, SessionResult } from './train-session.js';

const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Serves the four Fashion-MNIST files at /data/fashion-mnist/, still gzipped: the page's IDX reader gunzips them. */
function fashionMnistFiles(dir: string): Plugin {
  return {
    name: 'wgsl-nn:fashion-mnist',
    configureServer(server) {
      server.middlewares.use('/data/fashion-mnist', (req, res, next) => {
        const name = (req.url ?? '').replace(/^\//, '').split('?')[0]!;
        if (!(DATA_FILES as readonly string[]).includes(name)) return next();
        const file = path.join(dir, name);
        if (!existsSync(file)) {
          res.statusCode = 404;
          res.end(`${file} not found: apt-get install -y dataset-fashion-mnist`);
          return;
        }
        // No Content-Encoding header: the browser must hand the gzip bytes to the page as they are.
        res.setHeader('Content-Type', 'application/octet-stream');
        createReadStream(file).pipe(res);
      });
    },
  };
}

export async function trainInBrowser(root: string, request: SessionRequest, io: RunnerIo): Promise<SessionResult & { platform: string }> {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: install it with \`apt-get install -y chromium\`, set CHROMIUM_PATH, or train in Node with --node`);
  }
  io.status('starting Vite and Chromium…');
  const server = await createServer({
    root,
    configFile: false,
    logLevel: 'warn',
    clearScreen: false,
    plugins: [fashionMnistFiles(request.dataDir ?? FASHION_MNIST_DIR)],
    // No file watching or HMR: a reload in the middle of a run would lose it.
    server: { host: 'localhost', port: 5190, strictPort: false, hmr: false, watch: null },
    // No dependency pre-bundling: the page's only dependency (wgsl_reflect) is ESM already, and the optimizer
    // re-bundling mid-load answers 504 "Outdated Optimize Dep" to a page that, without HMR, never reloads.
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  try {
    await server.listen();
    const url = `${server.resolvedUrls!.local[0]!}demo/train/index.html`;
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') io.log(`[page ${m.type()}] ${m.text()}`);
      });
      page.on('pageerror', (e) => io.log(`[page error] ${e.message}`));
      await page.exposeFunction('wgslNnTrainMessage', (m: PageMessage) => io.onMessage(
        m.type === 'checkpoint' ? { type: 'checkpoint', epoch: m.epoch, bytes: new Uint8Array(Buffer.from(m.base64, 'base64')) } : m,
      ));
      await page.goto(url, { timeout: 120_000 });
      await page.waitForFunction(() => typeof window.wgslNnTrain === 'function', null, { timeout: 120_000 });
      const result: BrowserResult = await page.evaluate((r) => window.wgslNnTrain!(r), request);
      return { ...result, weights: new Uint8Array(Buffer.from(result.weights, 'base64')), platform: `Chromium ${browser.version()} (headless, Playwright)` };
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
}
