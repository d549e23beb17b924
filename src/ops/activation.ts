import type { DispatchArgs } from '../device.js';
import { cachedSpec, flagSpecs, type Specialization } from '../kernel.js';
import { ArgumentError, DTypeError, formatShape, ShapeError } from '../errors.js';
import { normalizeAxis, sameShape } from '../shape.js';
import { transpose } from './transpose.js';
import { empty, type Tensor } from '../tensor.js';
import { ACTIVATION_CODES, ACTIVATION_WORKGROUP, activationKernel, activationParams } from '../../kernels/activation.js';
import { MAXOUT_WORKGROUP, maxoutKernel } from '../../kernels/maxout.js';
import { planSoftmax, softmaxBackwardKernels, softmaxKernels } from '../../kernels/softmax.js';

export type ActivationKind = 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'elu' | 'gelu';

export interface ActivationOptions {
  /** LeakyReLU's negative slope: PyTorch's default 0.01 (the lecture uses 0.1). */
  slope?: number;
  /** ELU's α (default 1). */
  alpha?: number;
  /**
   * GELU: 'none' is PyTorch's exact x·Φ(x) (Φ from an erfc approximation with error ≤ 8.3e-8, see
   * shaders/activation.wgsl), 'tanh' the approximation 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).
   */
  approximate?: 'none' | 'tanh';
}

/**
 * What `activationBackward` needs besides dy: the forward output y (sigmoid, tanh, ReLU: the input can be
 * freed) or the input x (the others), the same choice as PyTorch's autograd.
 */
export const ACTIVATION_BACKWARD_INPUT: Readonly<Record<ActivationKind, 'x' | 'y'>> = {
  sigmoid: 'y', tanh: 'y', relu: 'y', leakyRelu: 'x', elu: 'x', gelu: 'x',
};

function checkF32(op: string, name: string, t: Tensor): void {
  t.buffer(op);
  if (t.dtype !== 'f32') throw new DTypeError(op, [t.dtype], `${name} must be f32`);
}

/** Throws unless dy and the saved tensor are f32 of one shape on one device. */
function checkPair(op: string, dy: Tensor, saved: Tensor, savedName: string): void {
  checkF32(op, 'dy', dy);
  checkF32(op, savedName, saved);
  if (!sameShape(dy.shape, saved.shape)) throw new ShapeError(op, [dy.shape, saved.shape], `dy and ${savedName} must have the same shape`);
  if (dy.rt !== saved.rt) throw new ArgumentError(op, `dy and ${savedName} live on different devices`);
}

/** Kernel specialization and the uniform parameter (slope or α) of one activation. */
function resolve(op: string, kind: ActivationKind, opts: ActivationOptions): { code: number; param: number } {
  if (!Object.hasOwn(ACTIVATION_BACKWARD_INPUT, kind)) {
    throw new ArgumentError(op, `unknown activation '${String(kind)}' (expected ${Object.keys(ACTIVATION_BACKWARD_INPUT).join(', ')})`);
  }
  const param = kind === 'leakyRelu' ? opts.slope ?? 0.01 : kind === 'elu' ? opts.alpha ?? 1 : 0;
  if (!Number.isFinite(param)) throw new ArgumentError(op, `${kind === 'elu' ? 'alpha' : 'slope'} must be a finite number, got ${param}`);
  const approximate = opts.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new ArgumentError(op, `approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  const code = kind === 'gelu' && approximate === 'tanh' ? ACTIVATION_CODES.geluTanh : ACTIVATION_CODES[kind];
  return { code, param };
}

const activationSpecs = new Map<number, Specialization>();
const activationSpec = (code: number, backward: boolean): Specialization => ({ KIND: `${code}u`, BACKWARD: `${backward}` });
const logSpec = flagSpecs('LOG');
const backwardSpec = flagSpecs('BACKWARD');

function pointwise(op: string, code: number, param: number, a: Tensor, dy: Tensor | null): Tensor {
  const out = empty(a.shape, 'f32', op, a.rt);
  if (out.size) {
    a.rt.dispatch({
      op, kernel: activationKernel,
      bindings: { a: a.buffer(op), dy: (dy ?? a).buffer(op), out: out.buffer(op), p: activationParams(a.size, param) },
      workgroups: Math.ceil(a.size / ACTIVATION_WORKGROUP), specialize: cachedSpec(activationSpecs, code * 2 + (dy ? 1 : 0), activationSpec, code, dy !== null),
    });
  }
  return out;
}

/** A pointwise activation of any-shaped f32 x. ReLU, sigmoid and tanh are also in the elementwise ops. */
export function activation(kind: ActivationKind, x: Tensor, opts: ActivationOptions = {}): Tensor {
  const op = kind;
  checkF32(op, 'input', x);
  const { code, param } = resolve(op, kind, opts);
  return pointwise(op, code, param, x, null);
}

/** dx = dy·f′, from `xOrY` = the forward's output y or input x as `ACTIVATION_BACKWARD_INPUT[kind]` says. */
export function activationBackward(kind: ActivationKind, dy: Tensor, xOrY: Tensor, opts: ActivationOptions = {}): Tensor {
  const op = `${kind}Backward`;
  const { code, param } = resolve(op, kind, opts);
  checkPair(op, dy, xOrY, ACTIVATION_BACKWARD_INPUT[kind]);
  return pointwise(op, code, param, xOrY, dy);
}

/** max(x, 0) + slope·min(x, 0); PyTorch's default slope 0.01 (the lecture's is 0.1). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return activation('leakyRelu', x, { slope });
}

/** x for x > 0, α(eˣ − 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return activation('elu', x, { alpha });
}

/** x·Φ(x) (approximate 'none', PyTorch's default) or its tanh approximation. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  return activation('gelu', x, { approximate });
}

/** [rows, len] view of a tensor for a last-axis row operation. */
function rowsOf(op: string, t: Tensor): { rows: number; len: number } {
  if (t.rank < 1) throw new ShapeError(op, [t.shape], 'needs at least one axis (it works along the last)');
  const len = t.shape[t.rank - 1]!;
  return { rows: len === 0 ? 0 : t.size / len, len };
}

function rowwise(op: string, log: boolean, inputs: { a: Tensor; b?: Tensor }): Tensor {
  const { a, b } = inputs;
  const { rows, len } = rowsOf(op, a);
  const out = empty(a.shape, 'f32', op, a.rt);
  if (!out.size) return out;
  const plan = planSoftmax(b ? softmaxBackwardKernels : softmaxKernels, rows, len);
  const p = Uint32Array.of(rows, len);
  const bindings: DispatchArgs['bindings'] = b
    ? { dy: a.buffer(op), y: b.buffer(op), dx: out.buffer(op), p }
    : { x: a.buffer(op), out: out.buffer(op), p };
  a.rt.dispatch({ op, kernel: plan.kernel, bindings, workgroups: plan.workgroups, specialize: logSpec(log) });
  return out;
}

/**
 * Runs a last-axis row operation along `axis` (negative counts from the end; PyTorch's dim): other axes
 * are swapped with the last one around it (two permute dispatches), the last axis runs directly.
 */
function alongAxis(op: string, axis: number, inputs: readonly Tensor[], f: (...t: Tensor[]) => Tensor): Tensor {
  const rank = inputs[0]!.rank;
  const a = normalizeAxis(op, axis, Math.max(rank, 1));
  if (rank === 0 || a === rank - 1) return f(...inputs);
  const moved = inputs.map((t) => transpose(t, a, -1));
  const r = f(...moved);
  const out = transpose(r, a, -1);
  for (const t of [...moved, r]) t.dispose();
  return out;
}

/** Softmax along `axis` (default the last), stable (the row maximum is subtracted first). */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkF32('softmax', 'input', x);
  return alongAxis('softmax', axis, [x], (t) => rowwise('softmax', false, { a: t }));
}

/** log(softmax(x)) along `axis` (default the last) as x − max − log Σ e^{x − max}: no log of an underflowed 0. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkF32('logSoftmax', 'input', x);
  return alongAxis('logSoftmax', axis, [x], (t) => rowwise('logSoftmax', true, { a: t }));
}

/** dx = y ⊙ (dy − Σ dy·y) along `axis` (default the last), from the softmax output y. */
export function softmaxBackward(dy: Tensor, y: Tensor, axis = -1): Tensor {
  checkPair('softmaxBackward', dy, y, 'y');
  return alongAxis('softmaxBackward', axis, [dy, y], (d, t) => rowwise('softmaxBackward', false, { a: d, b: t }));
}

/** dx = dy − e^y · Σ dy along `axis` (default the last), from the log-softmax output y. */
export function logSoftmaxBackward(dy: Tensor, y: Tensor, axis = -1): Tensor {
  checkPair('logSoftmaxBackward', dy, y, 'y');
  return alongAxis('logSoftmaxBackward', axis, [dy, y], (d, t) => rowwise('logSoftmaxBackward', true, { a: d, b: t }));
}

function checkPieces(op: string, x: Tensor, k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new ArgumentError(op, `k (pieces) must be a positive integer, got ${k}`);
  const features = x.rank ? x.shape[x.rank - 1]! : 0;
  if (!x.rank || features % k !== 0) {
    throw new ShapeError(op, [x.shape], `the last axis must hold k·m features (k = ${k}); it has ${x.rank ? features : 'no last axis'}`);
  }
  return features / k;
}

function maxoutDispatch(op: string, x: Tensor, dy: Tensor | null, shape: readonly number[], k: number): Tensor {
  const out = empty(shape, 'f32', op, x.rt);
  if (out.size) {
    x.rt.dispatch({
      op, kernel: maxoutKernel,
      bindings: { x: x.buffer(op), dy: (dy ?? x).buffer(op), out: out.buffer(op), p: Uint32Array.of(out.size, k) },
      workgroups: Math.ceil(out.size / MAXOUT_WORKGROUP), specialize: backwardSpec(dy !== null),
    });
  }
  return out;
}

/**
 * Maxout with k pieces: [..., k·m] → [..., m], the max of each group of k consecutive features
 * (x.view(..., m, k).max(-1)); the k affine maps before it are a Linear layer with k·m outputs.
 */
export function maxout(x: Tensor, k: number): Tensor {
  const op = 'maxout';
  checkF32(op, 'input', x);
  const m = checkPieces(op, x, k);
  return maxoutDispatch(op, x, null, [...x.shape.slice(0, -1), m], k);
}

/** dx: each dy goes to its group's argmax (first on ties), recomputed from x; the other k − 1 get 0. */
export function maxoutBackward(dy: Tensor, x: Tensor, k: number): Tensor {
  const op = 'maxoutBackward';
  checkF32(op, 'dy', dy);
  checkF32(op, 'x', x);
  const m = checkPieces(op, x, k);
  const expected = [...x.shape.slice(0, -1), m];
  if (!sameShape(dy.shape, expected)) throw new ShapeError(op, [dy.shape, x.shape], `dy must have the forward's output shape ${formatShape(expected)}`);
  if (dy.rt !== x.rt) throw new ArgumentError(op, 'dy and x live on different devices');
  return maxoutDispatch(op, x, dy, x.shape, k);
}
