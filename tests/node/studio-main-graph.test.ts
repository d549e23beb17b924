// The Studio's main thread only draws (issue #11): its bundle must not load the library (src/index.ts, the model
// builders, GPU code). Bundles demo/studio/main.ts with esbuild (in memory) and checks every module it reaches.
import { build } from 'esbuild';
import { expect, it } from 'vitest';

/** Pure, dependency-free modules the page may use: errors, the seeded RNG and the search space (configs, formatting). */
const SRC_ALLOWED = ['src/errors.ts', 'src/data/random.ts', 'src/search/space.ts'];

async function mainThreadInputs(): Promise<string[]> {
  const r = await build({
    entryPoints: ['demo/studio/main.ts'], bundle: true, write: false, metafile: true, format: 'esm', platform: 'browser',
    logLevel: 'silent', loader: { '.css': 'empty' },
  });
  return Object.keys(r.metafile.inputs);
}

it('demo/studio/main.ts reaches no library code: only pure src/ modules, no app/session/models.ts, no kernels', async () => {
  const inputs = await mainThreadInputs();
  expect(inputs).toContain('demo/studio/controls.ts');   // the graph really was followed
  expect(inputs).toContain('app/session/options.ts');
  const library = inputs.filter((f) => (f.startsWith('src/') && !SRC_ALLOWED.includes(f)) || f.startsWith('kernels/') || f.includes('wgsl_reflect')
    || (f.startsWith('app/') && f !== 'app/session/options.ts'));
  expect(library, 'modules of the library in the main thread\'s bundle (type-only imports are fine: `import type`)').toEqual([]);
}, 10_000);
