import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS as chromiumArgs, CHROMIUM_PATH as chromiumPath } from './scripts/chromium.js';

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

export default defineConfig({
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
      {
        extends: true,
        test: {
          name: 'dawn',
          environment: 'node',
          include: ['tests/dawn/**/*.test.ts'],
          // dawn.node is a native addon holding a Vulkan instance: one process per file, files one at a time.
          pool: 'forks',
          fileParallelism: false,
          env: { VK_ICD_FILENAMES: vkIcd },
        },
      },
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
      {
        extends: true,
        // The page has no process.env: TEST_SEED reaches tests/helpers/random.ts as a build-time constant.
        define: { __TEST_SEED__: JSON.stringify(process.env.TEST_SEED ?? '') },
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          // SwiftShader on 2 cores: one test file at a time.
          fileParallelism: false,
          browser: {
            enabled: true,
            provider: chromiumProvider(),
            headless: true,
            screenshotFailures: false,
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
