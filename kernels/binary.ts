import { ShapeError } from '../src/errors.js';
import { broadcastStrides, type Shape } from '../src/shape.js';
import { defineKernel } from '../src/kernel.js';
import source from '../shaders/binary.wgsl?raw';

export const binaryKernel = defineKernel({ name: 'binary', source, bindings: { a: 'read', b: 'read', out: 'read_write', p: 'uniform' } });

/** Op codes of shaders/binary.wgsl (`const OP`); comparisons come last. */
export const BINARY_OPS = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6,
  equal: 7, notEqual: 8, less: 9, lessEqual: 10, greater: 11, greaterEqual: 12,
} as const;
export type BinaryOp = keyof typeof BINARY_OPS;

/** Elements per workgroup of binary.wgsl and where.wgsl (256 threads × 4 elements). */
export const ELEMENTWISE_PER_WORKGROUP = 1024;
/** Dimensions the strided path indexes (two vec4u per uniform array). */
const MAX_STRIDED_RANK = 8;
export const SCALAR_MODES = { none: 0, a: 1, b: 2 } as const;

/** Output shape and per-input strides after merging dimensions, innermost first as the shaders read them. */
export interface BroadcastPlan {
  /** False when every input is laid out like the output: the shaders index it directly. */
  strided: boolean;
  rank: number;
  shape: number[];
  strides: number[][];
}

/**
 * Merges neighbouring output dimensions that every input walks contiguously (or broadcasts over both),
 * and drops size-1 ones, so [2, 3, 4] ⊕ [4] runs as [6, 4] and same-layout inputs need no index math.
 */
export function planBroadcast(op: string, outShape: Shape, inputs: readonly Shape[]): BroadcastPlan {
  const full = inputs.map((s) => broadcastStrides(s, outShape));
  const shape: number[] = [];
  const strides: number[][] = inputs.map(() => []);
  for (let d = outShape.length - 1; d >= 0; d--) {
    const size = outShape[d]!;
    if (size === 1) continue;
    const k = shape.length - 1;
    if (k >= 0 && full.every((s, j) => s[d] === strides[j]![k]! * shape[k]!)) {
      shape[k]! *= size;
      continue;
    }
    shape.push(size);
    full.forEach((s, j) => strides[j]!.push(s[d]!));
  }
  const strided = shape.length > 1 || strides.some((s) => s.length === 1 && s[0] !== 1);
  if (strided && shape.length > MAX_STRIDED_RANK) {
    throw new ShapeError(op, inputs, `broadcasting supports at most ${MAX_STRIDED_RANK} dimensions after merging those that broadcast alike (this needs ${shape.length})`);
  }
  return { strided, rank: shape.length, shape, strides };
}

/** Eight u32 slots (two vec4u) per array: the output shape, then each input's strides. */
export function broadcastWords(n: number, plan: BroadcastPlan, header: readonly number[]): Uint32Array {
  const words = new Uint32Array(4 + 8 * (1 + plan.strides.length));
  words.set([n, plan.rank, ...header]);
  if (plan.strided) {
    words.set(plan.shape, 4);
    plan.strides.forEach((s, j) => words.set(s, 12 + 8 * j));
  }
  return words;
}
