import { defineKernel } from '../src/kernel.js';
import source from '../shaders/grad-norm.wgsl?raw';

export const gradNormKernel = defineKernel({ name: 'grad-norm', source, bindings: { x: 'read', out: 'read_write', p: 'uniform' } });

/** `const PASS` values of shaders/grad-norm.wgsl. */
export const GRAD_NORM_PASS = { only: 0, partial: 1, combine: 2 } as const;

const THREADS = 256;
/** Bounded so the combining pass (one workgroup) reads at most one vec4 per thread. */
const MAX_WORKGROUPS = 1024;
/** Each thread of the first pass reads at least this many vec4s, so small arenas take a single pass. */
const MIN_VEC4_PER_THREAD = 4;

/**
 * Workgroups of the first pass over `n4` vec4s: 1 (single pass) or a multiple of 4, so the partial sums
 * are whole vec4s for the combining pass.
 */
export function gradNormWorkgroups(n4: number): number {
  const wanted = Math.ceil(n4 / (THREADS * MIN_VEC4_PER_THREAD));
  if (wanted <= 1) return 1;
  return Math.min(Math.ceil(wanted / 4) * 4, MAX_WORKGROUPS);
}
