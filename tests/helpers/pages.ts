// Page tests (the `pages` Vitest project): the app in demo/ served by Vite's dev server on a free port, driven in
// real headless Chromium (WebGPU on SwiftShader without a GPU) as a person would. Screenshots go to
// test-results/pages/ (git-ignored): look at them before calling a page done.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';

export const SCREENSHOT_DIR = path.resolve('test-results/pages');

export interface AppSession {
  /** Base URL of the app root (ends with '/'). */
  url: string;
  browser: Browser;
  /** Opens `pathAndQuery` (relative to the app root, e.g. 'studio/?model=mlp') in a fresh page; page errors are collected. */
  open(pathAndQuery: string): Promise<Page & { errors: string[] }>;
  close(): Promise<void>;
}

export async function startApp(): Promise<AppSession> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  const server: ViteDevServer = await createServer({
    configFile: path.resolve('vite.studio.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    // A free port; no HMR or watching (a reload mid-test would lose the page's state).
    server: { port: 0, strictPort: false, hmr: false, watch: null },
  });
  await server.listen();
  const url = server.resolvedUrls!.local[0]!;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  return {
    url,
    browser,
    async open(pathAndQuery) {
      const page = Object.assign(await browser.newPage({ viewport: { width: 1400, height: 900 } }), { errors: [] as string[] });
      page.on('pageerror', (e) => page.errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
      await page.goto(url + pathAndQuery, { timeout: 120_000 });
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Saves a full-page screenshot as test-results/pages/<name>.png and returns its path. Panels the page lets skip
 * rendering off screen (content-visibility: auto) are rendered for it, so the picture shows the whole page.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, style: '* { content-visibility: visible !important; }' });
  return file;
}

/**
 * Whether a Canvas 2D element shows more than one colour (a blank or single-colour canvas is not a drawn view).
 * Returns the number of distinct colours among sampled pixels.
 */
export async function canvasColours(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (el) => {
    const c = el as HTMLCanvasElement;
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) return 0;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const seen = new Set<number>();
    const step = Math.max(4, Math.floor(data.length / 4 / 20000) * 4);
    for (let i = 0; i < data.length && seen.size < 64; i += step) seen.add((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!);
    return seen.size;
  });
}
