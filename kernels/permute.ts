import { defineKernel } from '../src/kernel.js';
import { sizeOf, stridesOf } from '../src/shape.js';
import source from '../shaders/permute.wgsl?raw';

export const PERMUTE_WORKGROUP = 256;
/** Dimensions the uniform has room for. */
export const PERMUTE_MAX_RANK = 8;
export const permuteKernel = defineKernel({ name: 'permute', source, bindings: { x: 'read', out: 'read_write', p: 'uniform' } });

/** Uniform words: n, rank, 2 words of padding (the arrays are 16-byte aligned), output shape[8], gathered input strides[8]. */
export function permuteParams(inShape: readonly number[], dims: readonly number[]): Uint32Array {
  const words = new Uint32Array(4 + 2 * PERMUTE_MAX_RANK);
  const inStrides = stridesOf(inShape);
  words[0] = sizeOf(inShape);
  words[1] = dims.length;
  dims.forEach((d, k) => {
    words[4 + k] = inShape[d]!;
    words[4 + PERMUTE_MAX_RANK + k] = inStrides[d]!;
  });
  return words;
}
