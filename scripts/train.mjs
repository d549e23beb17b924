#!/usr/bin/env node
// `npm run train`: trains a model on Fashion-MNIST and writes a report (see `npm run train -- --help`).
// The CLI is TypeScript (scripts/train-cli.ts, sharing src/report/ with the library); this bundles it with
// esbuild into node_modules/.cache (inside the repository, so vite and playwright resolve) and runs it.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { buildReportPage } from './build-report-page.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = path.join(root, 'node_modules', '.cache', 'wgsl-nn-train');
const cli = path.join(buildDir, 'train-cli.mjs');

await build({
  entryPoints: [path.join(root, 'scripts', 'train-cli.ts')],
  outfile: cli,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
// report.html's charts: the Studio's chart code with uPlot, inlined into each report.
await buildReportPage(buildDir);
// Stack traces then point into scripts/*.ts and src/ rather than into the bundle.
process.setSourceMapsEnabled(true);
const { main } = await import(pathToFileURL(cli).href);
process.exit(await main(process.argv.slice(2), { root, buildDir }));
