#!/usr/bin/env node
// Runs an example under examples/ in Node on dawn.node: bundles it (esbuild, WGSL inlined) into
// node_modules/.cache and starts it with SwiftShader as the Vulkan driver when none is configured.
//   node examples/run.mjs transfer [flags]   (examples/worked/transfer.ts; README's short examples are examples/*.ts)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const entry = path.join(root, 'examples', 'worked', `${name}.ts`);
if (!name || !existsSync(entry)) {
  console.error('usage: node examples/run.mjs <example> [flags]   (examples: transfer)');
  process.exit(2);
}
const out = path.join(root, 'node_modules', '.cache', 'wgsl-nn-examples', `${name}.mjs`);
const bundled = spawnSync(process.execPath, [path.join(root, 'scripts', 'bundle-node.mjs'), entry, out], { stdio: 'inherit' });
if (bundled.status !== 0) process.exit(bundled.status ?? 1);
const env = { ...process.env };
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!env.VK_ICD_FILENAMES && existsSync(swiftshader)) env.VK_ICD_FILENAMES = swiftshader;
const run = spawnSync(process.execPath, ['--enable-source-maps', out, ...args], { stdio: 'inherit', env });
process.exit(run.status ?? 1);
