import { init, type Runtime } from '../../src/index.js';

let runtime: Promise<Runtime> | null = null;

/**
 * One poisoned runtime per test file: navigator.gpu in the browser, dawn.node (`webgpu`) under Node.
 * Poisoning fills every pooled buffer with NaN before use, so unwritten outputs fail the comparison.
 */
export function testRuntime(): Promise<Runtime> {
  runtime ??= (async () => {
    const nav = (globalThis as { navigator?: Navigator }).navigator;
    if (nav?.gpu) return init({ gpu: nav.gpu, poison: true });
    const specifier = 'webgpu';
    const mod = (await import(/* @vite-ignore */ specifier)) as { create(args: string[]): GPU; globals: object };
    Object.assign(globalThis, mod.globals);
    return init({ gpu: mod.create([]), poison: true });
  })();
  return runtime;
}
