// esbuild plugin: `import src from './x.wgsl?raw'` → the file's text as the default export
// (what Vite does for `?raw`), so code written for Vite also bundles with esbuild.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** @returns {import('esbuild').Plugin} */
export function wgslRawPlugin() {
  return {
    name: 'wgsl-raw',
    setup(build) {
      build.onResolve({ filter: /\.wgsl\?raw$/ }, (args) => {
        const file = args.path.slice(0, -'?raw'.length);
        return { path: path.resolve(args.resolveDir, file), namespace: 'wgsl-raw' };
      });
      build.onLoad({ filter: /.*/, namespace: 'wgsl-raw' }, async (args) => ({
        contents: await readFile(args.path, 'utf8'),
        loader: 'text',
        watchFiles: [args.path],
      }));
    },
  };
}

export default wgslRawPlugin;
