import { init, type InitOptions, type Runtime } from '../../src/index.js';

/**
 * A runtime on dawn's null backend: it validates every call and executes nothing, so tests can run
 * thousands of steps, or run out of memory (it reports out-of-memory past 512 MiB), at no GPU cost.
 */
export async function nullRuntime(options: Omit<InitOptions, 'gpu'> = {}): Promise<Runtime> {
  const specifier = 'webgpu';
  const mod = (await import(/* @vite-ignore */ specifier)) as { create(args: string[]): GPU; globals: object };
  Object.assign(globalThis, mod.globals);
  return init({ gpu: mod.create(['backend=null']), ...options });
}
