// The web app in demo/ (Studio, playgrounds): a Vite multi-page app. Every demo/<page>/index.html is a page, found
// by the glob below, so adding a page needs no edit here. `npm run studio` serves it (with Fashion-MNIST from the
// Debian package at /data/fashion-mnist/), `npm run build:studio` writes a static site to dist-studio/ that works
// from any static host (relative URLs; the pages fall back to their built-in sample or the user's files).
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { FASHION_MNIST_DIR } from './src/data/fashion-mnist.js';
import { fashionMnistFiles } from './scripts/fashion-mnist-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const demo = path.join(here, 'demo');
/** demo/train/ is the headless half of `npm run train`, not a page of the app. */
const NOT_APP_PAGES = new Set(['train', 'shared']);

/** demo/index.html and every demo/<page>/index.html. */
export function appPages(): Record<string, string> {
  const pages: Record<string, string> = { index: path.join(demo, 'index.html') };
  for (const entry of readdirSync(demo, { withFileTypes: true })) {
    const html = path.join(demo, entry.name, 'index.html');
    if (entry.isDirectory() && !NOT_APP_PAGES.has(entry.name) && existsSync(html)) pages[entry.name] = html;
  }
  return pages;
}

export default defineConfig({
  root: demo,
  base: './',
  plugins: [fashionMnistFiles(process.env.FASHION_MNIST_DIR || FASHION_MNIST_DIR)],
  server: { host: 'localhost', port: 5173, fs: { allow: [here] } },
  preview: { host: 'localhost', port: 4173 },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: path.join(here, 'dist-studio'),
    emptyOutDir: true,
    rolldownOptions: { input: appPages() },
  },
});
