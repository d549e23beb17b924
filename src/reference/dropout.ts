import { philox4x32_10 } from './philox.js';
import type { RefTensor } from './ref-tensor.js';

export interface RefDropoutOptions {
  p: number;
  seed: number;
  step: number;
}

/** Fourth counter word of every dropout draw, so a mask never reuses the numbers `rand()` draws from the same seed. */
const DROPOUT_STREAM_TAG = 0x44524f50; // 'DROP'

/** 2³²·p rounded: element i is dropped when its 32 random bits are below it (P = threshold / 2³²). */
function dropoutThreshold(p: number): number {
  return Math.min(Math.round(p * 2 ** 32), 2 ** 32 - 1);
}

/**
 * The keep mask (1 = kept) of `dropout` for n elements: element i takes word i mod 4 of
 * Philox4x32-10(counter (⌊i/4⌋, step, 0, tag), key seed), exactly as shaders/dropout.wgsl does.
 */
export function refDropoutMask(n: number, { p, seed, step }: RefDropoutOptions): Uint8Array {
  const mask = new Uint8Array(n);
  if (p === 1) return mask;
  const threshold = dropoutThreshold(p);
  const key = [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
  for (let t = 0; t * 4 < n; t++) {
    const bits = philox4x32_10([t, step, 0, DROPOUT_STREAM_TAG], key);
    for (let j = 0; j < 4 && t * 4 + j < n; j++) mask[t * 4 + j] = bits[j]! >= threshold ? 1 : 0;
  }
  return mask;
}

/** y = x·(m/(1 − p)), the multiplier 0 for p = 1; as in PyTorch a NaN stays NaN even where dropped. */
export function refDropout(x: RefTensor, opts: RefDropoutOptions): RefTensor {
  const mask = refDropoutMask(x.data.length, opts);
  const scale = opts.p === 1 ? 0 : 1 / (1 - opts.p);
  return { shape: [...x.shape], data: x.data.map((v, i) => v * (mask[i]! * scale)) };
}

/** dx = dy·m/(1 − p) with the same mask: the same map as the forward. */
export function refDropoutBackward(dy: RefTensor, opts: RefDropoutOptions): RefTensor {
  return refDropout(dy, opts);
}
