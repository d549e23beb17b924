import { defineKernel } from '../src/kernel.js';
import { f32bits } from '../src/params.js';
import source from '../shaders/dropout.wgsl?raw';

/** Each thread draws one Philox block: 4 elements. */
export const DROPOUT_VALUES_PER_WORKGROUP = 64 * 4;
export const dropoutKernel = defineKernel({ name: 'dropout', source, bindings: { x: 'read', out: 'read_write', p: 'uniform', rng: 'read' } });

/** Uniform words of shaders/dropout.wgsl: the element count. */
export function dropoutParams(n: number): Uint32Array {
  return Uint32Array.of(n);
}

/** Words of the `rng` binding. */
export const DROPOUT_RNG_WORDS = 5;

/**
 * The words of the `rng` binding: the seed's two halves, the step, and p as the drop threshold and scale.
 * An element is dropped when its 32 random bits are below round(p·2³²) (so P(drop) is p to within 2⁻³²);
 * p = 1 scales by 0 (x·0 as in PyTorch: NaN stays NaN). p lives here rather than in the uniform so a
 * compiled step's per-replay upload can change it (nn.Dropout's settable `p`).
 */
export function dropoutRngWords(seed: number, step: number, p: number): Uint32Array {
  const threshold = Math.min(Math.round(p * 2 ** 32), 2 ** 32 - 1);
  return Uint32Array.of(seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, step >>> 0, threshold, f32bits(p === 1 ? 0 : 1 / (1 - p)));
}
