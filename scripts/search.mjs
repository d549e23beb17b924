#!/usr/bin/env node
// `npm run search`: hyperparameter search on Fashion-MNIST (see `npm run search -- --help`). Bundles
// scripts/search-cli.ts for Node (dawn.node stays external) into node_modules/.cache and runs it in a child
// with SwiftShader as the Vulkan driver when none is configured (as `npm run train -- --node` does).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'node_modules', '.cache', 'wgsl-nn-search', 'search-cli.mjs');
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const bundled = spawnSync(process.execPath, [path.join(root, 'scripts', 'bundle-node.mjs'), path.join(root, 'scripts', 'search-cli.ts'), out], { stdio: 'inherit' });
if (bundled.status !== 0) process.exit(bundled.status ?? 1);
const env = { ...process.env };
if (!env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
const r = spawnSync(process.execPath, ['--enable-source-maps', out, root, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
