import type { DType } from '../dtype.js';
import { ArgumentError, DTypeError, formatShape } from '../errors.js';
import { normalizeAxes, sizeOf, type Shape } from '../shape.js';
import { empty, type Tensor } from '../tensor.js';
import { full } from './creation.js';
import { planReducePass, REDUCE_OPS, reduceKernel, reduceParams, type ReduceOp } from '../../kernels/reduce.js';

/** One axis, several, or (undefined) all of them; negative axes count from the end. */
export type Axes = number | readonly number[];

/** One reduction of the tensor viewed as [outer, r, inner] over its middle axis. */
export interface ReduceStep {
  outer: number;
  r: number;
  inner: number;
}

/**
 * The [outer, r, inner] steps that reduce `axes` of `shape`, last run of axes first. Size-1 dimensions are
 * dropped and neighbouring axes that are both reduced (or both kept) merge, so a contiguous set of axes is
 * one step and only a non-contiguous set needs several. No steps when nothing of size > 1 is reduced.
 */
export function reduceSteps(shape: Shape, axes: readonly number[]): ReduceStep[] {
  const runs: { size: number; reduced: boolean }[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const reduced = axes.includes(i);
    const last = runs[runs.length - 1];
    if (last && last.reduced === reduced) last.size *= d;
    else runs.push({ size: d, reduced });
  });
  const steps: ReduceStep[] = [];
  for (let k = runs.length - 1; k >= 0; k--) {
    const run = runs[k]!;
    if (!run.reduced) continue;
    const before = runs.slice(0, k).reduce((n, s) => n * s.size, 1);
    const after = runs.slice(k + 1).reduce((n, s) => n * s.size, 1);
    steps.push({ outer: before, r: run.size, inner: after });
    // Later steps see this run as size 1.
    run.size = 1;
  }
  return steps;
}

/** The shape left after reducing `axes` (sorted, non-negative). */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Encodes one step (one or two dispatches) from `input` into a fresh tensor of `shape`. */
function encodeStep(op: string, kind: ReduceOp, input: Tensor, step: ReduceStep, shape: Shape, dtype: DType, scale: number, planAs?: ReduceStep): Tensor {
  const rt = input.rt;
  const isArg = kind === 'argmax' || kind === 'argmin';
  const specialize = (pairsIn: boolean, pairsOut: boolean) => ({ OP: `${REDUCE_OPS[kind]}u`, PAIRS_IN: `${pairsIn}`, PAIRS_OUT: `${pairsOut}` });
  const out = empty(shape, dtype, op, rt);
  const first = planReducePass(step.outer, step.r, step.inner, true, planAs);
  const overrides = (p: { tx: number; ty: number }) => ({ TX: p.tx, TY: p.ty });
  if (first.nchunks === 1) {
    rt.dispatch({
      op, kernel: reduceKernel, bindings: { x: input.buffer(op), out: out.buffer(op), p: reduceParams(first, scale) },
      workgroups: first.workgroups, specialize: specialize(false, false), overrides: overrides(first),
    });
    return out;
  }
  // Two passes: per-chunk partials (value, index pairs for arg ops), then one reduction over the chunks.
  const partials = empty([step.outer * first.nchunks * step.inner * (isArg ? 2 : 1)], 'f32', op, rt);
  rt.dispatch({
    op, kernel: reduceKernel, bindings: { x: input.buffer(op), out: partials.buffer(op), p: reduceParams(first, 1) },
    workgroups: first.workgroups, specialize: specialize(false, isArg), overrides: overrides(first),
  });
  const second = planReducePass(step.outer, first.nchunks, step.inner, false, planAs);
  rt.dispatch({
    op, kernel: reduceKernel, bindings: { x: partials.buffer(op), out: out.buffer(op), p: reduceParams(second, scale) },
    workgroups: second.workgroups, specialize: specialize(isArg, false), overrides: overrides(second),
  });
  partials.dispose();
  return out;
}

function reduce(op: string, kind: ReduceOp, x: Tensor, axes: Axes | undefined, keepDims: boolean, mean = false, planAs?: Shape): Tensor {
  x.buffer(op);
  if (x.dtype !== 'f32') throw new DTypeError(op, [x.dtype], 'reductions take f32 tensors');
  const isArg = kind === 'argmax' || kind === 'argmin';
  // Indices along one axis (or the flattened tensor) only: several axes would need an index convention.
  if (isArg && axes !== undefined && typeof axes !== 'number') throw new ArgumentError(op, `takes one axis or none (flattened), got [${String(axes)}]`);
  const ax = normalizeAxes(op, axes, x.rank);
  const outShape = reducedShape(x.shape, ax, keepDims);
  const r = sizeOf(ax.map((a) => x.shape[a]!));
  if (r === 0 && kind !== 'sum') {
    throw new ArgumentError(op, `cannot reduce over zero elements (axes [${ax.join(', ')}] of shape ${formatShape(x.shape)}); it has no identity`);
  }
  const dtype: DType = isArg ? 'i32' : 'f32';
  if (sizeOf(outShape) === 0) return empty(outShape, dtype, op, x.rt);
  if (r === 0) return full(outShape, mean ? NaN : 0, 'f32', x.rt);

  // Reducing only size-1 axes still runs one pass (r = 1), so the result is a new tensor like every op's.
  const steps = reduceSteps(x.shape, ax);
  if (!steps.length) steps.push({ outer: 1, r: 1, inner: x.size });
  // Planned as the smaller shape only where its steps reduce the same runs (else as itself).
  const asSteps = planAs && planAs.length === x.rank ? reduceSteps(planAs, ax) : [];
  const pinned = asSteps.length === steps.length && asSteps.every((s, k) => s.r === steps[k]!.r);
  let cur = x;
  steps.forEach((step, k) => {
    const last = k === steps.length - 1;
    const next = encodeStep(op, kind, cur, step, last ? outShape : [step.outer * step.inner], dtype, last && mean ? 1 / r : 1, pinned ? asSteps[k] : undefined);
    if (cur !== x) cur.dispose();
    cur = next;
  });
  return cur;
}

/**
 * Sum over `axes` (all by default). A sum over zero elements is 0. `planAs`: a shape with the same reduced
 * dimensions and fewer kept elements (one trial of a stack) whose summation order every output takes, so
 * each rounds as it would in that smaller sum.
 */
export function sum(x: Tensor, axes?: Axes, keepDims = false, planAs?: Shape): Tensor {
  return reduce('sum', 'sum', x, axes, keepDims, false, planAs);
}

/** Mean over `axes` (all by default): the sum times 1/n in the same kernel. A mean of zero elements is NaN. */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return reduce('mean', 'sum', x, axes, keepDims, true);
}

/** Maximum over `axes` (all by default). NaN propagates: any NaN in a slice makes its maximum NaN (as in PyTorch). */
export function max(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return reduce('max', 'max', x, axes, keepDims);
}

/** Minimum over `axes` (all by default). NaN propagates like in `max`. */
export function min(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return reduce('min', 'min', x, axes, keepDims);
}

/**
 * Index (i32) of the largest value along `axis`, or in the flattened tensor when `axis` is undefined.
 * Ties give the first index and NaN counts as the largest value, as in NumPy and PyTorch.
 */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return reduce('argmax', 'argmax', x, axis, keepDims);
}

/** Index (i32) of the smallest value along `axis` (flattened when undefined); first index on ties, NaN wins. */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return reduce('argmin', 'argmin', x, axis, keepDims);
}
