import { defineKernel } from '../src/kernel.js';
import { f32bits } from '../src/params.js';
import source from '../shaders/reduce.wgsl?raw';

export const reduceKernel = defineKernel({ name: 'reduce', source, bindings: { x: 'read', out: 'read_write', p: 'uniform' } });

/** Op codes of shaders/reduce.wgsl (`const OP`). */
export const REDUCE_OPS = { sum: 0, max: 1, min: 2, argmax: 3, argmin: 4 } as const;
export type ReduceOp = keyof typeof REDUCE_OPS;

const THREADS = 256;
/** Below this many workgroups a pass leaves most of a large GPU idle, so a long r is split into chunks. */
const TARGET_WORKGROUPS = 256;
/** A chunk gives each thread at least this many elements, so the second pass stays cheap next to the first. */
const MIN_PER_THREAD = 16;
/** Threads a workgroup keeps however small its share (two warps of 32). */
const MIN_THREADS = 64;

/** One dispatch over x viewed as [outer, r, inner]. */
export interface ReducePass {
  outer: number;
  r: number;
  inner: number;
  /** 1: the output is [outer, inner]; more: per-chunk partials [outer, nchunks, inner]. */
  nchunks: number;
  chunk: number;
  tx: number;
  ty: number;
  workgroups: number;
}

/**
 * Workgroup shape and R split for one [outer, r, inner] reduction. TY rows of threads stride over r, as
 * few as give each thread MIN_PER_THREAD elements (a short r — a weight gradient's few partials — is then
 * summed down each column by one thread, with no tree in workgroup memory); TX covers consecutive inner
 * columns, so loads are coalesced: up to 256 when TY is 1, at least 32 (a 128-byte row of f32) beside a
 * taller TY, fewer only when inner is narrower (1 for the last axis). A workgroup keeps at least 64 threads.
 * `split: false` keeps r in one chunk (the second pass, whose r is the first pass's chunk count).
 */
export function planReducePass(outer: number, r: number, inner: number, split = true, planAs?: { outer: number; inner: number }): ReducePass {
  // How each output is summed (TY rows, chunks over r) follows planAs when given: the same reduction over
  // more outputs (a stack of trials) then rounds every output as the smaller one does, bit for bit.
  const as = planAs ?? { outer, inner };
  const columnsAs = pow2AtLeast(Math.min(as.inner, THREADS));
  let ty = Math.min(pow2AtLeast(Math.ceil(r / MIN_PER_THREAD)), THREADS / Math.min(columnsAs, 32));
  const txAs = Math.min(THREADS / ty, columnsAs);
  while (txAs * ty < MIN_THREADS) ty *= 2;
  let nchunks = !split ? 1 : Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / (as.outer * Math.ceil(as.inner / txAs))), Math.ceil(r / (ty * MIN_PER_THREAD))));
  const chunk = Math.max(Math.ceil(r / nchunks), 1);
  nchunks = Math.max(Math.ceil(r / chunk), 1);
  const tx = Math.max(1, Math.min(THREADS / ty, pow2AtLeast(Math.min(inner, THREADS))));
  return { outer, r, inner, nchunks, chunk, tx, ty, workgroups: outer * Math.ceil(inner / tx) * nchunks };
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Uniform words of shaders/reduce.wgsl's Params. */
export function reduceParams(pass: ReducePass, scale: number): Uint32Array {
  return Uint32Array.of(pass.outer, pass.r, pass.inner, pass.chunk, pass.nchunks, Math.ceil(pass.inner / pass.tx), f32bits(scale));
}
