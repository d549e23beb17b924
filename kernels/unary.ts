import { cachedSpec, defineKernel, type Specialization } from '../src/kernel.js';
import source from '../shaders/unary.wgsl?raw';

export const unaryKernel = defineKernel({ name: 'unary', source, bindings: { x: 'read', out: 'read_write', p: 'uniform' } });

/** Op codes of shaders/unary.wgsl (`const OP`). */
export const UNARY_OPS = { neg: 0, abs: 1, exp: 2, log: 3, sqrt: 4, rsqrt: 5, relu: 6, sigmoid: 7, tanh: 8 } as const;
export type UnaryOp = keyof typeof UNARY_OPS;

const UNARY_WORKGROUP = 256;

/** Dispatch plan for `n` elements: vec4 per thread when n is a multiple of 4, else one f32 per thread. */
const specs = new Map<number, Specialization>();
const unarySpec = (op: UnaryOp, vec4: boolean): Specialization => ({ OP: `${UNARY_OPS[op]}u`, V: vec4 ? 'vec4<f32>' : 'f32', U: vec4 ? 'vec4<u32>' : 'u32' });

export function planUnary(op: UnaryOp, n: number): { specialize: Specialization; params: Uint32Array; workgroups: number } {
  const vec4 = n % 4 === 0;
  const count = vec4 ? n / 4 : n;
  return {
    specialize: cachedSpec(specs, UNARY_OPS[op] * 2 + (vec4 ? 1 : 0), unarySpec, op, vec4),
    params: Uint32Array.of(count),
    workgroups: Math.ceil(count / UNARY_WORKGROUP),
  };
}
