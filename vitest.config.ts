import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS as chromiumArgs, CHROMIUM_PATH as chromiumPath } from './scripts/chromium.js';
import { PROJECTS } from './scripts/test-projects.mjs';

/** Vulkan ICD for dawn.node: SwiftShader shipped with Debian's chromium package. */
const vkIcd = process.env.VK_ICD_FILENAMES || '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * The playwright provider, checking for Chromium only when the browser project actually starts
 * (so `vitest run --project node` works on a machine without Chromium).
 */
function chromiumProvider() {
  const base = playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } });
  return {
    ...base,
    providerFactory(project: Parameters<typeof base.providerFactory>[0]) {
      if (!existsSync(chromiumPath)) {
        throw new Error(
          `Chromium not found at ${chromiumPath}: install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH`,
        );
      }
      return base.providerFactory(project);
    },
  };
}

/**
 * Dawn tests that call init() themselves, destroy a device or lose it on purpose: they would take the shared
 * runtime of the other dawn files away (those share one process, see the 'dawn' project).
 */
const DAWN_OWN_RUNTIME = [
  'examples', 'fit-recovery', 'gpu-errors', 'leaks', 'optimizer-state-shape', 'ownership', 'profile', 'runtime-dir', 'runtime', 'webgpu-smoke',
].map((name) => `tests/dawn/${name}.test.ts`);

/**
 * Browser tests that call init() themselves or count the runtime's buffers, dispatches and pool state from a
 * fresh start: each runs in a page of its own.
 */
const BROWSER_OWN_RUNTIME = ['autograd', 'core', 'elementwise', 'optim', 'reduce'].map((name) => `tests/browser/${name}.test.ts`);

/** A project of tests run in Node on dawn.node, a native addon holding a Vulkan instance: forked processes, one file at a time. */
function dawnProject(name: string, test: { include: string[]; exclude?: string[]; isolate?: boolean }) {
  return {
    extends: true as const,
    test: { name, environment: 'node' as const, ...test, pool: 'forks' as const, fileParallelism: false, env: { VK_ICD_FILENAMES: vkIcd } },
  };
}

/** A project of tests run in Chromium (SwiftShader on 2 cores: one file at a time). */
function browserProject(name: string, test: { include: string[]; exclude?: string[]; isolate?: boolean }) {
  return {
    extends: true as const,
    // The page has no process.env: TEST_SEED reaches tests/helpers/random.ts as a build-time constant.
    define: { __TEST_SEED__: JSON.stringify(process.env.TEST_SEED ?? '') },
    test: {
      name,
      ...test,
      fileParallelism: false,
      browser: {
        enabled: true,
        provider: chromiumProvider(),
        headless: true,
        screenshotFailures: false,
        instances: [{ browser: 'chromium' as const }],
      },
    },
  };
}

const config = defineConfig({
  // examples/ import the package by name, as a user would (tests/*/examples.test.ts run them): here that is the source.
  resolve: { alias: { 'wgsl-nn': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  // Browser tests fetch the Debian Fashion-MNIST files through Vite's /@fs/ route.
  server: { fs: { allow: ['.', '/usr/share/datasets/fashion-mnist'] } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['tests/node/**/*.test.ts'],
        },
      },
      dawnProject('dawn', {
        include: ['tests/dawn/**/*.test.ts'],
        exclude: DAWN_OWN_RUNTIME,
        // All these files in one process sharing one runtime (tests/helpers/gpu.ts): a pipeline SwiftShader
        // compiled for one file (seconds each for LeNet-5's matmuls) is not compiled again for the next.
        isolate: false,
      }),
      // Files that create, replace or destroy runtimes: each in a process of its own.
      dawnProject('dawn-own', { include: DAWN_OWN_RUNTIME }),
      {
        extends: true,
        test: {
          name: 'pages',
          environment: 'node',
          include: ['tests/pages/**/*.test.ts'],
          // Each file starts Vite and Chromium and trains on SwiftShader: one file at a time, in its own process.
          pool: 'forks',
          fileParallelism: false,
        },
      },
      browserProject('browser', {
        include: ['tests/browser/**/*.test.ts'],
        exclude: BROWSER_OWN_RUNTIME,
        // One page for all these files, sharing one runtime (tests/helpers/gpu.ts): a pipeline compiled for one
        // file is not compiled again for the next.
        isolate: false,
      }),
      browserProject('browser-own', { include: BROWSER_OWN_RUNTIME }),
    ],
  },
});

// `npm test` (scripts/test.mjs) names the projects to run in two halves: a project missing from its list would not run.
const names = (config.test?.projects ?? []).map((p) => (typeof p === 'object' && 'test' in p ? p.test?.name : undefined));
if (names.join() !== PROJECTS.join()) throw new Error(`vitest.config.ts: projects [${names.join(', ')}] differ from scripts/test-projects.mjs [${PROJECTS.join(', ')}]`);

export default config;
