import { getRuntime, type Runtime } from '../device.js';
import { ArgumentError } from '../errors.js';
import { rand, randn, zeros } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';

/**
 * Weight initialisation schemes (lecture 001 and PyTorch). All draw from the runtime's seeded GPU
 * generator, so `seed(n)` before building a model makes it reproducible.
 * - 'pytorch': PyTorch's default for Linear/Conv2d, kaiming_uniform(a=√5) = U(−1/√fan_in, 1/√fan_in)
 * - 'small': 0.01·N(0, 1) (the lecture's "small random numbers")
 * - 'xavier': N(0, 1)/√fan_in (the lecture's Xavier form); 'glorot': N(0, 2/(fan_in+fan_out)) (Glorot & Bengio)
 * - 'he': N(0, 1)/√(fan_in/2) (He et al., for ReLU)
 * - 'zeros'
 */
export type InitScheme = 'pytorch' | 'small' | 'xavier' | 'glorot' | 'he' | 'zeros';

export const INIT_SCHEMES: readonly InitScheme[] = ['pytorch', 'small', 'xavier', 'glorot', 'he', 'zeros'];

export function initWeight(shape: readonly number[], fanIn: number, fanOut: number, scheme: InitScheme, rt: Runtime = getRuntime()): Tensor {
  switch (scheme) {
    case 'pytorch': {
      const b = 1 / Math.sqrt(fanIn);
      return rand(shape, { low: -b, high: b }, rt);
    }
    case 'small': return randn(shape, { std: 0.01 }, rt);
    case 'xavier': return randn(shape, { std: 1 / Math.sqrt(fanIn) }, rt);
    case 'glorot': return randn(shape, { std: Math.sqrt(2 / (fanIn + fanOut)) }, rt);
    case 'he': return randn(shape, { std: Math.sqrt(2 / fanIn) }, rt);
    case 'zeros': return zeros(shape, 'f32', rt);
    default: throw new ArgumentError('init', `unknown scheme '${String(scheme)}' (expected one of ${INIT_SCHEMES.join(', ')})`);
  }
}

/** Biases: PyTorch's U(−1/√fan_in, 1/√fan_in) for 'pytorch', zeros for every other scheme (the lecture's choice). */
export function initBias(n: number, fanIn: number, scheme: InitScheme, rt: Runtime = getRuntime()): Tensor {
  if (scheme === 'pytorch') {
    const b = 1 / Math.sqrt(fanIn);
    return rand([n], { low: -b, high: b }, rt);
  }
  return zeros([n], 'f32', rt);
}
