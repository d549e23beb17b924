import { defineConfig, type Plugin } from 'vite';

/**
 * src/ imports kernels/, so tsc (tsconfig.build.json, rootDir ".") writes declarations to
 * dist/src/index.d.ts and dist/kernels/*.d.ts. package.json points "types" at dist/index.d.ts,
 * so emit that as a one-line re-export.
 */
function dtsEntry(): Plugin {
  return {
    name: 'wgsl-nn:dts-entry',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'index.d.ts', source: "export * from './src/index.js';\n" });
    },
  };
}

export default defineConfig({
  plugins: [dtsEntry()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'wgsl-nn.js',
    },
    rolldownOptions: {
      external: ['webgpu'],
    },
  },
});
