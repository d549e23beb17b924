import { ArgumentError } from '../errors.js';
import { normalizeAxes, stridesOf } from '../shape.js';
import type { RefTensor } from './ref-tensor.js';

/** The values of every output slice, in row-major order of the reduced axes, and the output shape. */
function slices(op: string, x: RefTensor, axes: number | readonly number[] | undefined, keepDims: boolean): { shape: number[]; lists: number[][] } {
  const rank = x.shape.length;
  const ax = normalizeAxes(op, axes, rank);
  const kept = x.shape.map((_, i) => i).filter((i) => !ax.includes(i));
  const keptShape = kept.map((i) => x.shape[i]!);
  const keptStrides = stridesOf(keptShape);
  const inStrides = stridesOf(x.shape);
  const lists: number[][] = Array.from({ length: keptShape.reduce((n, d) => n * d, 1) }, () => []);
  for (let e = 0; e < x.data.length; e++) {
    let o = 0;
    kept.forEach((axis, k) => {
      o += (Math.floor(e / inStrides[axis]!) % x.shape[axis]!) * keptStrides[k]!;
    });
    lists[o]!.push(x.data[e]!);
  }
  const shape = keepDims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : keptShape;
  return { shape, lists };
}

function reduceWith(op: string, x: RefTensor, axes: number | readonly number[] | undefined, keepDims: boolean, f: (values: number[]) => number): RefTensor {
  const { shape, lists } = slices(op, x, axes, keepDims);
  return { shape, data: Float64Array.from(lists, f) };
}

function nonEmpty(op: string, values: number[]): number[] {
  if (!values.length) throw new ArgumentError(op, 'cannot reduce over zero elements');
  return values;
}

export function refSum(x: RefTensor, axes?: number | readonly number[], keepDims = false): RefTensor {
  return reduceWith('sum', x, axes, keepDims, (v) => v.reduce((a, b) => a + b, 0));
}

/** 0/0 = NaN for an empty slice, as in PyTorch. */
export function refMean(x: RefTensor, axes?: number | readonly number[], keepDims = false): RefTensor {
  return reduceWith('mean', x, axes, keepDims, (v) => v.reduce((a, b) => a + b, 0) / v.length);
}

/** NaN if the slice holds a NaN (Math.max propagates it). */
export function refMax(x: RefTensor, axes?: number | readonly number[], keepDims = false): RefTensor {
  return reduceWith('max', x, axes, keepDims, (v) => nonEmpty('max', v).reduce((a, b) => Math.max(a, b)));
}

export function refMin(x: RefTensor, axes?: number | readonly number[], keepDims = false): RefTensor {
  return reduceWith('min', x, axes, keepDims, (v) => nonEmpty('min', v).reduce((a, b) => Math.min(a, b)));
}

/** First index of the extreme value; a NaN counts as the extreme, as in NumPy and PyTorch. */
function argExtreme(op: string, v: number[], better: (a: number, b: number) => boolean): number {
  nonEmpty(op, v);
  const nan = v.findIndex(Number.isNaN);
  if (nan >= 0) return nan;
  let best = 0;
  for (let i = 1; i < v.length; i++) if (better(v[i]!, v[best]!)) best = i;
  return best;
}

/** Index along `axis`, or into the flattened tensor when `axis` is undefined. */
export function refArgmax(x: RefTensor, axis?: number, keepDims = false): RefTensor {
  return reduceWith('argmax', x, axis, keepDims, (v) => argExtreme('argmax', v, (a, b) => a > b));
}

export function refArgmin(x: RefTensor, axis?: number, keepDims = false): RefTensor {
  return reduceWith('argmin', x, axis, keepDims, (v) => argExtreme('argmin', v, (a, b) => a < b));
}
