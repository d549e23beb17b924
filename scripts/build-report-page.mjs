#!/usr/bin/env node
// Bundles app/report/report-page.ts (the charts of report.html, uPlot included) into OUT/report-page.js and
// OUT/report-page.css, which the CLI inlines into each report.html. Used by scripts/train.mjs, and for the
// in-process GPU entry by `npm run train:gpu:bundle` (the files go next to bench/dist/train-gpu.mjs).
//   node scripts/build-report-page.mjs OUT
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildReportPage(outDir) {
  await build({
    entryPoints: [path.join(root, 'app', 'report', 'report-page.ts')],
    outfile: path.join(outDir, 'report-page.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildReportPage(path.resolve(process.argv[2] ?? 'bench/dist'));
}
