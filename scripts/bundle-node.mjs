#!/usr/bin/env node
// Bundles a TypeScript entry into one ESM file for Node (benchmarks, single-file GPU runs).
// `webgpu` (dawn.node, a native addon) stays external; WGSL `?raw` imports are inlined.
//   node scripts/bundle-node.mjs <entry.ts> <out.mjs>
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { wgslRawPlugin } from './esbuild-wgsl.mjs';

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error('usage: node scripts/bundle-node.mjs <entry.ts> <out.mjs>');
  process.exit(2);
}

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  external: ['webgpu'],
  plugins: [wgslRawPlugin()],
  // Resolve packages from this repository even for entries outside it (e.g. under /tmp).
  nodePaths: [fileURLToPath(new URL('../node_modules', import.meta.url))],
  // Lets bundled CommonJS dependencies call require() inside the ESM output.
  banner: { js: "import { createRequire as __wgslNnCreateRequire } from 'node:module'; const require = __wgslNnCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
