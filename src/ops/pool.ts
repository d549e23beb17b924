import { flagSpecs } from '../kernel.js';
import { ArgumentError, DTypeError, formatShape, ShapeError } from '../errors.js';
import { sameShape, type Shape } from '../shape.js';
import { empty, type Tensor } from '../tensor.js';
import {
  avgPool2dBackwardKernel, avgPool2dKernel, maxPool2dBackwardKernel, maxPool2dKernel, POOL_WORKGROUP, poolParams,
  type PoolGeometry,
} from '../../kernels/pool.js';

/** One size for both spatial axes, or [height, width]. */
export type Size2 = number | readonly [number, number];

/**
 * Pooling over the last two axes of NCHW input. Output size floor((H + 2·padding − kernel)/stride) + 1 per axis
 * (PyTorch's ceil_mode = false; ceil_mode and dilation are not supported).
 */
export interface Pool2dOptions {
  kernelSize: Size2;
  /** Default: the kernel size (PyTorch's default). */
  stride?: Size2;
  /** Implicit padding on both sides, at most half the kernel (PyTorch's rule). Default 0. */
  padding?: Size2;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /** Divide by k_h·k_w even where the window overlaps the padding (true, PyTorch's default), or by the in-image count. */
  countIncludePad?: boolean;
}

export interface MaxPool2dResult {
  y: Tensor;
  /** i32 argmax of each window as a flat index into its input plane (ih·W + iw), as PyTorch's return_indices. */
  indices: Tensor;
}

function pair(op: string, name: string, v: Size2, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : null;
  if (!p || p.some((d) => !Number.isInteger(d) || d < min)) {
    throw new ArgumentError(op, `${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p as [number, number];
}

/** Validates pooling options without an input (what a pooling layer checks when it is built). */
export function checkPool2dOptions(op: string, opts: Pool2dOptions): { kh: number; kw: number; sh: number; sw: number; ph: number; pw: number } {
  if (typeof opts !== 'object' || opts === null) throw new ArgumentError(op, `expects a kernel size or options, got ${String(opts)}`);
  const [kh, kw] = pair(op, 'kernelSize', opts.kernelSize, 1);
  const [sh, sw] = pair(op, 'stride', opts.stride ?? opts.kernelSize, 1);
  const [ph, pw] = pair(op, 'padding', opts.padding ?? 0, 0);
  if (2 * ph > kh || 2 * pw > kw) {
    throw new ArgumentError(op, `padding [${ph}, ${pw}] must be at most half the kernel size [${kh}, ${kw}] (PyTorch's rule)`);
  }
  return { kh, kw, sh, sw, ph, pw };
}

/** Validates input shape and options and resolves the output size (no GPU work). */
export function poolGeometry(op: string, xShape: Shape, opts: Pool2dOptions): PoolGeometry {
  if (xShape.length !== 4) throw new ShapeError(op, [xShape], 'input must be 4-D [N, C, H, W]');
  const [n, c, h, w] = xShape as [number, number, number, number];
  if (c < 1 || h < 1 || w < 1) throw new ShapeError(op, [xShape], 'C, H and W must be at least 1 (only N may be 0)');
  const { kh, kw, sh, sw, ph, pw } = checkPool2dOptions(op, opts);
  if (kh > h + 2 * ph || kw > w + 2 * pw) {
    throw new ShapeError(op, [xShape], `kernel [${kh}, ${kw}] is larger than the padded input [${h + 2 * ph}, ${w + 2 * pw}]`);
  }
  return { n, c, h, w, kh, kw, sh, sw, ph, pw, oh: Math.floor((h + 2 * ph - kh) / sh) + 1, ow: Math.floor((w + 2 * pw - kw) / sw) + 1 };
}

function checkF32(op: string, name: string, t: Tensor): void {
  t.buffer(op);
  if (t.dtype !== 'f32') throw new DTypeError(op, [t.dtype], `${name} must be f32`);
}

/** Throws unless dy is f32 with the forward's output shape. */
function checkGrad(op: string, dy: Tensor, g: PoolGeometry, xShape: Shape): void {
  checkF32(op, 'dy', dy);
  const expected = [g.n, g.c, g.oh, g.ow];
  if (!sameShape(dy.shape, expected)) throw new ShapeError(op, [dy.shape, xShape], `dy must have the forward's output shape ${formatShape(expected)}`);
}

function workgroups(elements: number): number {
  return Math.ceil(elements / POOL_WORKGROUP);
}

/** 2-D max pooling with −∞ padding (PyTorch's MaxPool2d), returning the argmax indices for the backward. */
export function maxPool2d(x: Tensor, opts: Pool2dOptions): MaxPool2dResult {
  const op = 'maxPool2d';
  checkF32(op, 'input', x);
  const g = poolGeometry(op, x.shape, opts);
  const shape = [g.n, g.c, g.oh, g.ow];
  const y = empty(shape, 'f32', op, x.rt), indices = empty(shape, 'i32', op, x.rt);
  if (y.size) {
    x.rt.dispatch({
      op, kernel: maxPool2dKernel, bindings: { x: x.buffer(op), y: y.buffer(op), indices: indices.buffer(op), p: poolParams(g) },
      workgroups: workgroups(y.size),
    });
  }
  return { y, indices };
}

/**
 * dx for `maxPool2d`: each dy goes to its window's argmax (summed where windows overlap). `gate` (x's shape, optional): the result is
 * multiplied by (gate > 0) — a ReLU's backward fused in when x is that ReLU's output (gate = x).
 */
export function maxPool2dBackward(dy: Tensor, indices: Tensor, xShape: Shape, opts: Pool2dOptions, gate?: Tensor): Tensor {
  const op = 'maxPool2dBackward';
  const g = poolGeometry(op, xShape, opts);
  checkGrad(op, dy, g, xShape);
  if (gate) {
    checkF32(op, 'gate', gate);
    if (!sameShape(gate.shape, xShape)) throw new ShapeError(op, [gate.shape, xShape], 'gate must have the input\'s shape');
    if (gate.rt !== dy.rt) throw new ArgumentError(op, 'dy and gate live on different devices');
  }
  indices.buffer(op);
  if (indices.dtype !== 'i32') throw new DTypeError(op, [indices.dtype], 'indices must be i32 (from maxPool2d)');
  if (!sameShape(indices.shape, dy.shape)) throw new ShapeError(op, [dy.shape, indices.shape], 'indices must have the shape of dy');
  if (indices.rt !== dy.rt) throw new ArgumentError(op, 'dy and indices live on different devices');
  const dx = empty(xShape, 'f32', op, dy.rt);
  if (dx.size) {
    dy.rt.dispatch({
      op, kernel: maxPool2dBackwardKernel,
      // Without a gate, dy fills its (unread) binding.
      bindings: { dy: dy.buffer(op), indices: indices.buffer(op), gate: (gate ?? dy).buffer(op), dx: dx.buffer(op), p: poolParams(g) },
      workgroups: workgroups(dx.size), specialize: gateSpec(gate !== undefined),
    });
  }
  return dx;
}

const gateSpec = flagSpecs('GATE');
const countPadSpec = flagSpecs('COUNT_INCLUDE_PAD');

/** 2-D average pooling with zero padding (PyTorch's AvgPool2d; countIncludePad true by default). */
export function avgPool2d(x: Tensor, opts: AvgPool2dOptions): Tensor {
  const op = 'avgPool2d';
  checkF32(op, 'input', x);
  const g = poolGeometry(op, x.shape, opts);
  const y = empty([g.n, g.c, g.oh, g.ow], 'f32', op, x.rt);
  if (y.size) {
    x.rt.dispatch({
      op, kernel: avgPool2dKernel, bindings: { x: x.buffer(op), y: y.buffer(op), p: poolParams(g) },
      workgroups: workgroups(y.size), specialize: countPadSpec(opts.countIncludePad ?? true),
    });
  }
  return y;
}

function avgBackward(op: string, dy: Tensor, g: PoolGeometry, xShape: Shape, countIncludePad: boolean): Tensor {
  const dx = empty(xShape, 'f32', op, dy.rt);
  if (dx.size) {
    dy.rt.dispatch({
      op, kernel: avgPool2dBackwardKernel, bindings: { dy: dy.buffer(op), dx: dx.buffer(op), p: poolParams(g) },
      workgroups: workgroups(dx.size), specialize: countPadSpec(countIncludePad),
    });
  }
  return dx;
}

/** dx for `avgPool2d`: each input element gathers dy/divisor from every window containing it. */
export function avgPool2dBackward(dy: Tensor, xShape: Shape, opts: AvgPool2dOptions): Tensor {
  const op = 'avgPool2dBackward';
  const g = poolGeometry(op, xShape, opts);
  checkGrad(op, dy, g, xShape);
  return avgBackward(op, dy, g, xShape, opts.countIncludePad ?? true);
}

/**
 * Mean over H and W (PyTorch's AdaptiveAvgPool2d(1)): [N, C, 1, 1], or [N, C] without keepDims. It is
 * average pooling with an H×W kernel, a thread summing each plane (fine for the small final feature maps of CNNs).
 */
export function globalAvgPool2d(x: Tensor, keepDims = true): Tensor {
  const op = 'globalAvgPool2d';
  checkF32(op, 'input', x);
  if (x.rank !== 4) throw new ShapeError(op, [x.shape], 'input must be 4-D [N, C, H, W]');
  const y = avgPool2d(x, { kernelSize: [x.shape[2]!, x.shape[3]!] });
  if (keepDims) return y;
  const flat = y.reshape([x.shape[0]!, x.shape[1]!]);
  y.dispose();
  return flat;
}

/** dx for `globalAvgPool2d`: dy/(H·W) broadcast over each plane; dy is [N, C, 1, 1] or [N, C]. */
export function globalAvgPool2dBackward(dy: Tensor, xShape: Shape): Tensor {
  const op = 'globalAvgPool2dBackward';
  checkF32(op, 'dy', dy);
  if (xShape.length !== 4) throw new ShapeError(op, [xShape], 'input shape must be 4-D [N, C, H, W]');
  const g = poolGeometry(op, xShape, { kernelSize: [xShape[2]!, xShape[3]!] });
  if (!sameShape(dy.shape, [g.n, g.c, 1, 1]) && !sameShape(dy.shape, [g.n, g.c])) {
    throw new ShapeError(op, [dy.shape, xShape], `dy must be [N, C, 1, 1] or [N, C] = ${formatShape([g.n, g.c])}`);
  }
  return avgBackward(op, dy, g, xShape, true);
}
