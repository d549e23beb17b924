import { defineKernel } from '../src/kernel.js';
import { f32bits } from '../src/params.js';
import source from '../shaders/activation.wgsl?raw';

export const ACTIVATION_WORKGROUP = 256;
export const activationKernel = defineKernel({
  name: 'activation', source, bindings: { a: 'read', dy: 'read', out: 'read_write', p: 'uniform' },
});

/** `const KIND` codes of shaders/activation.wgsl. */
export const ACTIVATION_CODES = { sigmoid: 0, tanh: 1, relu: 2, leakyRelu: 3, elu: 4, gelu: 5, geluTanh: 6 } as const;

export function activationParams(n: number, param: number): Uint32Array {
  return Uint32Array.of(n, f32bits(param));
}
