import { broadcastShapes, broadcastStrides, sizeOf } from '../shape.js';
import type { RefTensor } from './ref-tensor.js';

/**
 * Float64 references of the elementwise ops (src/ops/elementwise.ts). Integer dtypes are not emulated:
 * the GPU wraps i32/u32 overflow, the reference does not, so tests keep integer inputs small.
 */

const bool = (c: boolean): number => (c ? 1 : 0);

// Math.max/min propagate NaN and comparisons follow IEEE (NaN ≠ anything), like NumPy.
const BINARY = {
  add: (x: number, y: number) => x + y,
  sub: (x: number, y: number) => x - y,
  mul: (x: number, y: number) => x * y,
  div: (x: number, y: number) => x / y,
  // Math.pow: x^0 = 1, negative base with a non-integer exponent gives NaN, as in NumPy.
  pow: (x: number, y: number) => Math.pow(x, y),
  maximum: (x: number, y: number) => Math.max(x, y),
  minimum: (x: number, y: number) => Math.min(x, y),
  equal: (x: number, y: number) => bool(x === y),
  notEqual: (x: number, y: number) => bool(x !== y),
  less: (x: number, y: number) => bool(x < y),
  lessEqual: (x: number, y: number) => bool(x <= y),
  greater: (x: number, y: number) => bool(x > y),
  greaterEqual: (x: number, y: number) => bool(x >= y),
};
export type RefBinaryOp = keyof typeof BINARY;
export const REF_BINARY_OPS = Object.keys(BINARY) as RefBinaryOp[];

const UNARY = {
  neg: (x: number) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x: number) => 1 / Math.sqrt(x),
  // NaN stays NaN (x < 0 is false), as in PyTorch.
  relu: (x: number) => (x < 0 ? 0 : x),
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
};
export type RefUnaryOp = keyof typeof UNARY;
export const REF_UNARY_OPS = Object.keys(UNARY) as RefUnaryOp[];

/** A number stands for a 0-d tensor. */
export type RefOperand = RefTensor | number;

const asRef = (x: RefOperand): RefTensor => (typeof x === 'number' ? { shape: [], data: Float64Array.of(x) } : x);

/** Applies `f` elementwise over the NumPy broadcast of `inputs`; ShapeErrors name `op`. */
export function refBroadcast(op: string, inputs: readonly RefOperand[], f: (...values: number[]) => number): RefTensor {
  const refs = inputs.map(asRef);
  const shape = broadcastShapes(op, ...refs.map((r) => r.shape));
  const strides = refs.map((r) => broadcastStrides(r.shape, shape));
  const data = new Float64Array(sizeOf(shape));
  const coord = new Array<number>(shape.length).fill(0);
  const values = new Array<number>(refs.length);
  for (let i = 0; i < data.length; i++) {
    for (let j = 0; j < refs.length; j++) {
      let offset = 0;
      for (let d = 0; d < shape.length; d++) offset += coord[d]! * strides[j]![d]!;
      values[j] = refs[j]!.data[offset]!;
    }
    data[i] = f(...values);
    // Row-major increment of the output coordinate.
    for (let d = shape.length - 1; d >= 0 && ++coord[d]! === shape[d]; d--) coord[d] = 0;
  }
  return { shape, data };
}

export function refBinary(op: RefBinaryOp, a: RefOperand, b: RefOperand): RefTensor {
  return refBroadcast(op, [a, b], BINARY[op]);
}

export function refUnary(op: RefUnaryOp, x: RefTensor): RefTensor {
  return { shape: [...x.shape], data: x.data.map((v) => UNARY[op](v)) };
}

/** `cond ? a : b` elementwise with broadcasting; any nonzero cond (NaN included) is true, as in NumPy. */
export function refWhere(cond: RefOperand, a: RefOperand, b: RefOperand): RefTensor {
  return refBroadcast('where', [cond, a, b], (c, x, y) => (c !== 0 ? x : y));
}
