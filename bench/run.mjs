#!/usr/bin/env node
// Benchmark entry point.
//   npm run bench                      overhead, then browser
//   npm run bench -- browser [flags]   Vite + Playwright + headless Chromium (WebGPU), both libraries in one page
//   npm run bench -- overhead [flags]  Node + dawn.node backend=null: CPU cost per op
//   npm run bench -- gpu [flags]       builds bench/dist/gpu-bench.mjs and runs it (Node + dawn.node, default adapter)
//   npm run bench:gpu:bundle           only builds bench/dist/gpu-bench.mjs (for a GPU machine, see bench/README.md)
//   npm run bench -- playground        the playgrounds: CPU cost per frame on dawn.node backend=null (all optimizers in one
//                                      compiled step vs one per optimizer), then frames per second of each page in Chromium
//   npm run bench -- studio [--seconds N] [--query 'model=mlp&…']
//                                      the Studio page: main-thread long tasks and frame rate, idle vs training
//   npm run bench -- profile [--model lenet5|mlp|vgg] [--batch N] [--repeats N]
//                                      GPU time of one compiled training step, kernel by kernel (timestamp queries)
//   npm run bench -- search [--device null|swiftshader] [--k 1,4,8] [--batch 32] [--steps N]
//                                      cost per trial-step of K search trials stacked / concurrent vs K sequential ones
// Flags: --quick, --full (all matmul sizes, training configurations and conv layers even on a CPU adapter),
//        --sizes 256,1024, --repeats N, --no-overhead, --no-matmul, --no-train, --no-conv, --no-bn,
//        --train mlp-b128,lenet5-b64 / --conv lenet-conv1 / --bn bn-64x64x32x32 (exactly these cases),
//        --tiles all|small,large… (sweep wgsl-nn's matmul tiles over the sizes), --no-profile,
//        --out DIR (default bench/runs/, ignored by git). `npm run bench -- [command] --help` lists them (bench/cli.mjs).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ensureRuntimeDir } from '../scripts/runtime-dir.mjs';
import { BenchUsageError, parseBenchArgs } from './cli.mjs';

// Before Chromium or dawn.node start: keeps libwayland's XDG_RUNTIME_DIR complaint out of the output.
ensureRuntimeDir();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'bench', 'dist');
let parsed;
try {
  parsed = parseBenchArgs(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof BenchUsageError)) throw e;
  console.error(`bench: ${e.message}`);
  process.exit(2);
}
if (parsed.help) {
  console.log(parsed.help);
  process.exit(0);
}
const backends = parsed.commands;
const buildOnly = parsed.rest.includes('--build-only');
const rest = parsed.rest.filter((a) => a !== '--build-only');
/**
 * Vulkan for dawn.node: what the environment names, else the machine's own driver when dawn finds an adapter
 * through it (a workstation's GPU), else the SwiftShader ICD that Debian's chromium ships (this VM: Mesa's
 * lavapipe is the only other one, and Dawn rejects it).
 */
function vulkanEnv() {
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return process.env;
  const probe = "import { create } from 'webgpu'; const gpu = create([]); const a = await gpu.requestAdapter(); process.exit(a ? 0 : 1);";
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: root, stdio: 'ignore', timeout: 30_000 });
  return r.status === 0 ? process.env : { ...process.env, VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' };
}
const env = backends.some((b) => b === 'gpu' || b === 'profile') && !buildOnly ? vulkanEnv() : process.env;

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env, ...opts });
  if (r.status !== 0) {
    console.error(`bench: ${path.basename(args[0] ?? cmd)} exited with ${r.status ?? r.signal}`);
    process.exit(r.status || 1);
  }
}

/** A single-file Node bundle: TF.js and the library inside, `webgpu` (native dawn.node) external. */
function bundleNode(entry, out) {
  sh(process.execPath, [path.join(root, 'scripts', 'bundle-node.mjs'), path.join(root, entry), path.join(dist, out)]);
  return path.join(dist, out);
}

const runners = {
  async overhead() {
    sh(process.execPath, [bundleNode('bench/node/overhead.ts', 'overhead.mjs'), ...rest]);
  },
  async gpu() {
    const file = bundleNode('bench/node/gpu-bench.ts', 'gpu-bench.mjs');
    if (buildOnly) {
      console.log(`built ${path.relative(root, file)}. On a GPU machine with Node + dawn.node (see bench/README.md):\n` +
        '  bash ../shared/gpu/prepare-carry.sh bench/dist/gpu-bench.mjs && bash .gpu/enter.sh node .gpu/gpu-bench.mjs');
      return;
    }
    sh(process.execPath, [file, ...rest]);
  },
  async search() {
    // SwiftShader runs the whole step (VK_ICD_FILENAMES as for tests); null measures the CPU cost alone.
    const swift = rest.includes('swiftshader');
    const e = swift && !process.env.VK_ICD_FILENAMES ? { ...process.env, VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' } : process.env;
    sh(process.execPath, [bundleNode('bench/node/search-bench.ts', 'search-bench.mjs'), ...rest], { env: e });
  },
  async profile() {
    sh(process.execPath, [bundleNode('bench/node/profile-step.ts', 'profile-step.mjs'), ...rest]);
  },
  async playground() {
    sh(process.execPath, [bundleNode('bench/node/playground-cost.ts', 'playground-cost.mjs'), ...rest]);
    const out = path.join(dist, 'playground-fps.mjs');
    await build({
      entryPoints: [path.join(root, 'bench/node/playground-fps.ts')],
      outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
    });
    sh(process.execPath, [out, ...rest]);
  },
  async browser() {
    // The runner drives Vite and Playwright, which stay external (node_modules); the page itself is served by Vite.
    const out = path.join(dist, 'browser-runner.mjs');
    await build({
      entryPoints: [path.join(root, 'bench/node/browser.ts')],
      outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
    });
    sh(process.execPath, [out, ...rest]);
  },
  async studio() {
    const out = path.join(dist, 'studio-runner.mjs');
    await build({
      entryPoints: [path.join(root, 'bench/node/studio.ts')],
      outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
    });
    sh(process.execPath, [out, ...rest]);
  },
};

for (const b of backends) {
  console.log(`\n=== bench: ${b} ===`);
  await runners[b]();
}
