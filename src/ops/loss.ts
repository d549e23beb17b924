import type { Runtime } from '../device.js';
import type { DType } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { sameShape } from '../shape.js';
import { empty, Tensor } from '../tensor.js';
import { tensor, zeros } from './creation.js';
import {
  bceKernel, crossEntropyKernel, crossEntropyParams, DLOSS_EACH, DLOSS_NONE, DLOSS_SCALAR, l2GradKernel, l2GradParams,
  LOSS_WORKGROUP, lossReduceKernel, lossReduceParams, mseKernel, pointwiseLossParams, WRITE_GRAD, WRITE_LOSS,
} from '../../kernels/loss.js';
import type { Kernel } from '../kernel.js';

/** PyTorch's reduction: the mean or sum of the per-sample losses as a scalar ([] shape), or the losses themselves. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Integer class labels: an i32 tensor [N] already on the GPU, or CPU values (checked before any GPU work). */
export type Labels = Tensor | Int32Array | readonly number[];

export type CrossEntropyOptions = {
  reduction?: Reduction;
  /** PyTorch's label_smoothing ε in [0, 1]: the target becomes (1 − ε)·onehot + ε/C. */
  labelSmoothing?: number;
  /** Also compute ∂loss/∂logits in the same kernel (default true); false for evaluation. */
  grad?: boolean;
  /**
   * Count out-of-range GPU labels into `labelCheck` (default true; CPU labels are checked on the CPU
   * either way). false skips zeroing the counter, for callers that would not read it.
   */
  checkLabels?: boolean;
  /**
   * The rows are this many batches of N/stacked rows stacked (a search's trials, each on the same batch) that
   * share one set of labels [N/stacked]: each batch is its own mean ('mean': loss [stacked], gradient scaled
   * by stacked/N), computed exactly as that batch alone. Default 1. Forward only.
   */
  stacked?: number;
};

/**
 * Out-of-range bookkeeping for labels that were already on the GPU (CPU labels are checked before the
 * dispatch and get none). `status` is u32 [2]: the number of bad labels, and N − (index of the first).
 */
export type LabelCheck = { op: string; status: Tensor; labels: Tensor; classes: number };

/**
 * `loss` is a scalar ([] shape) for 'mean'/'sum', [N] for 'none'. `grad` is ∂loss/∂logits for an upstream
 * gradient of 1 (for 'none': of Σ loss_i). Rows with an out-of-range GPU label get NaN loss and gradient;
 * `await checkLabels(result)` (or `lossValue(result)`) turns that into an ArgumentError. Dispose
 * `labelCheck.status` along with the loss (tidy() does, as it does for any tensor in the result).
 * Results are plain object types, not interfaces, so tidy() accepts and keeps them.
 */
export type CrossEntropyResult = { loss: Tensor; grad: Tensor | null; labelCheck: LabelCheck | null };

export type PointwiseLossOptions = { reduction?: Reduction; grad?: boolean };
export type PointwiseLossResult = { loss: Tensor; grad: Tensor | null };

function checkReduction(op: string, reduction: Reduction): void {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new ArgumentError(op, `reduction must be 'mean', 'sum' or 'none', got ${String(reduction)}`);
  }
}

function checkTensor(op: string, name: string, t: Tensor, rt: Runtime, dtype: DType): void {
  t.buffer(op);
  if (t.rt !== rt) throw new ArgumentError(op, `${name} lives on another device than the first input`);
  if (t.dtype !== dtype) throw new DTypeError(op, [t.dtype], `${name} must be ${dtype}`);
}

/** Checks an upstream gradient: one value for 'mean'/'sum', the unreduced loss's shape for 'none'. */
function checkDloss(op: string, dloss: Tensor | null, reduction: Reduction, lossShape: readonly number[], rt: Runtime): number {
  if (!dloss) return DLOSS_NONE;
  checkTensor(op, 'dloss', dloss, rt, 'f32');
  if (reduction === 'none') {
    if (!sameShape(dloss.shape, lossShape)) throw new ShapeError(op, [dloss.shape, lossShape], "with reduction 'none', dloss must have the shape of the unreduced loss");
    return DLOSS_EACH;
  }
  if (dloss.size !== 1) throw new ShapeError(op, [dloss.shape], `with reduction '${reduction}', dloss must hold one value`);
  return DLOSS_SCALAR;
}

/** A 1-element stand-in for an output binding the kernel is told not to write. */
function sink(op: string, rt: Runtime, dtype: DType = 'f32'): Tensor {
  return empty([1], dtype, op, rt);
}

/** Per-item losses → the 'mean'/'sum' scalar on the GPU (no CPU round trip); 'none' returns them as they are. */
function reduceLoss(op: string, items: Tensor, reduction: Reduction, stacked = 1): Tensor {
  if (reduction === 'none') return items;
  // Stacked batches: one workgroup each, as one batch alone is reduced.
  const out = empty(stacked === 1 ? [] : [stacked], 'f32', op, items.rt);
  const n = items.size / stacked;
  items.rt.dispatch({
    op, kernel: lossReduceKernel, workgroups: stacked,
    bindings: { x: items.buffer(op), out: out.buffer(op), p: lossReduceParams(n, reduction === 'mean' ? 1 / n : 1, false, false) },
  });
  items.dispose();
  return out;
}

/** Validates labels against [0, C) and returns them as an i32 tensor [N] plus whether it was uploaded here. */
function labelsTensor(op: string, labels: Labels, rows: number, classes: number, rt: Runtime): { t: Tensor; uploaded: boolean } {
  if (labels instanceof Tensor) {
    checkTensor(op, 'labels', labels, rt, 'i32');
    if (!sameShape(labels.shape, [rows])) throw new ShapeError(op, [labels.shape], `labels must have shape [N] = [${rows}]`);
    return { t: labels, uploaded: false };
  }
  // JS callers can pass any typed array despite the type: a Float32Array of labels is a dtype mistake.
  const values: unknown = labels;
  if (ArrayBuffer.isView(values) && !(values instanceof Int32Array)) {
    throw new DTypeError(op, [values.constructor.name], 'CPU labels must be an Int32Array or an array of integers');
  }
  if (labels.length !== rows) throw new ShapeError(op, [[labels.length]], `labels must have N = ${rows} values, one per row of logits`);
  for (let i = 0; i < rows; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v)) throw new ArgumentError(op, `label ${v} at index ${i} is not an integer class index (C = ${classes})`);
    if (v < 0 || v >= classes) throw new ArgumentError(op, `label ${v} at index ${i} is out of range [0, ${classes}) (C = ${classes})`);
  }
  return { t: tensor(Int32Array.from(labels), [rows], 'i32', rt), uploaded: true };
}

function checkCrossEntropy(op: string, logits: Tensor, opts: CrossEntropyOptions): { rows: number; classes: number; reduction: Reduction; smoothing: number; batchRows: number } {
  logits.buffer(op);
  if (logits.dtype !== 'f32') throw new DTypeError(op, [logits.dtype], 'logits must be f32');
  if (logits.rank !== 2) throw new ShapeError(op, [logits.shape], 'logits must be [N, C]');
  const [rows, classes] = logits.shape as [number, number];
  if (rows === 0 || classes === 0) throw new ShapeError(op, [logits.shape], 'logits need at least one row and one class');
  const reduction = opts.reduction ?? 'mean';
  checkReduction(op, reduction);
  const smoothing = opts.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1)) throw new ArgumentError(op, `labelSmoothing must be in [0, 1], got ${smoothing}`);
  const stacked = opts.stacked ?? 1;
  if (!(Number.isInteger(stacked) && stacked >= 1 && rows % stacked === 0)) throw new ArgumentError(op, `stacked must be a positive integer dividing the ${rows} rows, got ${stacked}`);
  return { rows, classes, reduction, smoothing, batchRows: rows / stacked };
}

/**
 * Softmax cross-entropy from logits [N, C] and integer labels, PyTorch's F.cross_entropy (with
 * label_smoothing): loss_i = logsumexp(z_i) − Σ_j q_ij·z_ij, computed without overflow for any logits.
 * The gradient (softmax − q)/N for 'mean' comes from the same kernel. The lecture's L = (1/N)·Σ L_i is
 * reduction 'mean' with ε = 0.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Labels, opts: CrossEntropyOptions = {}): CrossEntropyResult {
  const op = 'softmaxCrossEntropy';
  const { rows, classes, reduction, smoothing, batchRows } = checkCrossEntropy(op, logits, opts);
  const rt = logits.rt;
  const { t: labelT, uploaded } = labelsTensor(op, labels, batchRows, classes, rt);
  const withGrad = opts.grad ?? true;
  const items = empty([rows], 'f32', op, rt);
  const grad = withGrad ? empty([rows, classes], 'f32', op, rt) : sink(op, rt);
  // CPU labels were checked already, so their kernel can never write the status: a sink suffices.
  const counted = !uploaded && (opts.checkLabels ?? true);
  const status = counted ? zeros([2], 'u32', rt) : sink(op, rt, 'u32');
  rt.dispatch({
    op, kernel: crossEntropyKernel, workgroups: rows,
    bindings: {
      logits: logits.buffer(op), labels: labelT.buffer(op), dloss: logits.buffer(op), loss: items.buffer(op), grad: grad.buffer(op),
      status: status.buffer(op), p: crossEntropyParams(rows, classes, smoothing, reduction === 'mean' ? 1 / batchRows : 1, DLOSS_NONE, WRITE_LOSS | (withGrad ? WRITE_GRAD : 0), batchRows),
    },
  });
  if (uploaded) labelT.dispose();
  if (!counted) status.dispose();
  if (!withGrad) grad.dispose();
  return {
    loss: reduceLoss(op, items, reduction, rows / batchRows),
    grad: withGrad ? grad : null,
    labelCheck: counted ? { op, status, labels: labelT, classes } : null,
  };
}

/**
 * ∂L/∂logits of `softmaxCrossEntropy` for an upstream gradient `dloss` (a scalar for 'mean'/'sum', [N] for
 * 'none'; null means 1). The forward's fused `grad` is this with dloss = 1; this form is for autodiff.
 */
export function softmaxCrossEntropyBackward(logits: Tensor, labels: Labels, dloss: Tensor | null, opts: Omit<CrossEntropyOptions, 'grad'> = {}): Tensor {
  const op = 'softmaxCrossEntropyBackward';
  const { rows, classes, reduction, smoothing, batchRows } = checkCrossEntropy(op, logits, opts);
  if (batchRows !== rows) throw new ArgumentError(op, 'stacked batches have no backward here: use the forward\'s fused gradient');
  const rt = logits.rt;
  const mode = checkDloss(op, dloss, reduction, [rows], rt);
  const { t: labelT, uploaded } = labelsTensor(op, labels, rows, classes, rt);
  const grad = empty([rows, classes], 'f32', op, rt);
  // Bad GPU labels were reported by the forward; here they only make their rows NaN.
  const lossSink = sink(op, rt);
  const status = sink(op, rt, 'u32');
  rt.dispatch({
    op, kernel: crossEntropyKernel, workgroups: rows,
    bindings: {
      logits: logits.buffer(op), labels: labelT.buffer(op), dloss: (dloss ?? logits).buffer(op), loss: lossSink.buffer(op), grad: grad.buffer(op),
      status: status.buffer(op), p: crossEntropyParams(rows, classes, smoothing, reduction === 'mean' ? 1 / rows : 1, mode, WRITE_GRAD),
    },
  });
  lossSink.dispose();
  status.dispose();
  if (uploaded) labelT.dispose();
  return grad;
}

/**
 * Resolves if every GPU label of a cross-entropy result was in [0, C); otherwise throws an ArgumentError
 * naming the op, the first bad label, its index and C. One small readback (two in the error case).
 */
export async function checkLabels(result: CrossEntropyResult): Promise<void> {
  const check = result.labelCheck;
  if (!check) return;
  const [count = 0, encodedFirst = 0] = await check.status.toArray();
  if (count === 0) return;
  const rows = check.labels.size;
  const index = rows - encodedFirst;
  const detail = check.labels.isDisposed ? '' : `label ${(await check.labels.toArray())[index]} at `;
  throw new ArgumentError(check.op, `${detail}index ${index} is out of range [0, ${check.classes}) (C = ${check.classes}; ${count} of ${rows} labels are out of range)`);
}

/** The loss value (mean/sum) read together with the label check: throws instead of returning NaN for bad labels. */
export async function lossValue(result: CrossEntropyResult | PointwiseLossResult): Promise<number> {
  const [, value] = await Promise.all(['labelCheck' in result ? checkLabels(result) : undefined, result.loss.item()]);
  return value;
}

function checkPointwise(op: string, a: Tensor, b: Tensor, aName: string, bName: string, reduction: Reduction): void {
  a.buffer(op);
  if (a.dtype !== 'f32') throw new DTypeError(op, [a.dtype], `${aName} must be f32`);
  checkTensor(op, bName, b, a.rt, 'f32');
  if (!sameShape(a.shape, b.shape)) throw new ShapeError(op, [a.shape, b.shape], `${bName} must have the shape of ${aName}`);
  if (a.size === 0) throw new ShapeError(op, [a.shape], `${aName} must not be empty`);
  checkReduction(op, reduction);
}

function pointwiseLoss(op: string, kernel: Kernel, names: [string, string], a: Tensor, b: Tensor, opts: PointwiseLossOptions): PointwiseLossResult {
  const reduction = opts.reduction ?? 'mean';
  checkPointwise(op, a, b, names[0], names[1], reduction);
  const rt = a.rt;
  const withGrad = opts.grad ?? true;
  const items = empty(a.shape, 'f32', op, rt);
  const grad = withGrad ? empty(a.shape, 'f32', op, rt) : sink(op, rt);
  rt.dispatch({
    op, kernel, workgroups: Math.ceil(a.size / LOSS_WORKGROUP),
    bindings: {
      [names[0]]: a.buffer(op), [names[1]]: b.buffer(op), dloss: a.buffer(op), loss: items.buffer(op), grad: grad.buffer(op),
      p: pointwiseLossParams(a.size, reduction === 'mean' ? 1 / a.size : 1, DLOSS_NONE, WRITE_LOSS | (withGrad ? WRITE_GRAD : 0)),
    },
  });
  if (!withGrad) grad.dispose();
  return { loss: reduceLoss(op, items, reduction), grad: withGrad ? grad : null };
}

function pointwiseLossBackward(op: string, kernel: Kernel, names: [string, string], a: Tensor, b: Tensor, dloss: Tensor | null, reduction: Reduction): Tensor {
  checkPointwise(op, a, b, names[0], names[1], reduction);
  const rt = a.rt;
  const mode = checkDloss(op, dloss, reduction, a.shape, rt);
  const grad = empty(a.shape, 'f32', op, rt);
  const lossSink = sink(op, rt);
  rt.dispatch({
    op, kernel, workgroups: Math.ceil(a.size / LOSS_WORKGROUP),
    bindings: {
      [names[0]]: a.buffer(op), [names[1]]: b.buffer(op), dloss: (dloss ?? a).buffer(op), loss: lossSink.buffer(op), grad: grad.buffer(op),
      p: pointwiseLossParams(a.size, reduction === 'mean' ? 1 / a.size : 1, mode, WRITE_GRAD),
    },
  });
  lossSink.dispose();
  return grad;
}

/**
 * Binary cross-entropy on logits with f32 targets in [0, 1] (PyTorch's binary_cross_entropy_with_logits),
 * the loss of logistic regression: max(z, 0) − z·y + log(1 + e^(−|z|)), stable for any z. Gradient σ(z) − y
 * (over n for 'mean') from the same kernel.
 */
export function bceWithLogits(logits: Tensor, targets: Tensor, opts: PointwiseLossOptions = {}): PointwiseLossResult {
  return pointwiseLoss('bceWithLogits', bceKernel, ['logits', 'targets'], logits, targets, opts);
}

/** ∂L/∂logits of `bceWithLogits` for an upstream gradient (scalar for 'mean'/'sum', the logits' shape for 'none'; null = 1). */
export function bceWithLogitsBackward(logits: Tensor, targets: Tensor, dloss: Tensor | null, opts: { reduction?: Reduction } = {}): Tensor {
  return pointwiseLossBackward('bceWithLogitsBackward', bceKernel, ['logits', 'targets'], logits, targets, dloss, opts.reduction ?? 'mean');
}

/** Mean squared error (PyTorch's mse_loss), the lecture's Q(w) = (1/ℓ)·Σ(⟨w, x⟩ − y)²; gradient 2(x − t)/n. */
export function mseLoss(pred: Tensor, targets: Tensor, opts: PointwiseLossOptions = {}): PointwiseLossResult {
  return pointwiseLoss('mseLoss', mseKernel, ['pred', 'targets'], pred, targets, opts);
}

/** ∂L/∂pred of `mseLoss` for an upstream gradient (scalar for 'mean'/'sum', pred's shape for 'none'; null = 1). */
export function mseLossBackward(pred: Tensor, targets: Tensor, dloss: Tensor | null, opts: { reduction?: Reduction } = {}): Tensor {
  return pointwiseLossBackward('mseLossBackward', mseKernel, ['pred', 'targets'], pred, targets, dloss, opts.reduction ?? 'mean');
}

function checkL2(op: string, params: readonly Tensor[], lambda: number): Runtime {
  if (!params.length) throw new ArgumentError(op, 'needs at least one parameter tensor');
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new ArgumentError(op, `lambda must be a non-negative finite number, got ${lambda}`);
  const rt = params[0]!.rt;
  params.forEach((w, i) => checkTensor(op, `params[${i}]`, w, rt, 'f32'));
  return rt;
}

/**
 * The lecture's L2 regulariser R(W) = λ·Σ w² over all `params`, as a scalar tensor computed on the GPU
 * (added to the data loss: L = (1/N)·Σ L_i + R(W)). Its gradient is 2λ·W (`l2PenaltyBackward`). PyTorch's
 * `weight_decay = wd` adds wd·W to the gradient, i.e. R = (wd/2)·Σ w²: wd = 2λ.
 */
export function l2Penalty(params: readonly Tensor[], lambda: number): Tensor {
  const op = 'l2Penalty';
  const rt = checkL2(op, params, lambda);
  const out = empty([], 'f32', op, rt);
  params.forEach((w, i) => {
    rt.dispatch({ op, kernel: lossReduceKernel, workgroups: 1, bindings: { x: w.buffer(op), out: out.buffer(op), p: lossReduceParams(w.size, lambda, true, i > 0) } });
  });
  return out;
}

/** ∂R/∂W = 2λ·W for each parameter, times the upstream scalar gradient `dloss` if given. */
export function l2PenaltyBackward(params: readonly Tensor[], lambda: number, dloss: Tensor | null = null): Tensor[] {
  const op = 'l2PenaltyBackward';
  const rt = checkL2(op, params, lambda);
  if (dloss) {
    checkTensor(op, 'dloss', dloss, rt, 'f32');
    if (dloss.size !== 1) throw new ShapeError(op, [dloss.shape], 'dloss must hold one value');
  }
  return params.map((w) => {
    const g = empty(w.shape, 'f32', op, rt);
    if (w.size) {
      rt.dispatch({
        op, kernel: l2GradKernel, workgroups: Math.ceil(w.size / LOSS_WORKGROUP),
        bindings: { w: w.buffer(op), dloss: (dloss ?? w).buffer(op), out: g.buffer(op), p: l2GradParams(w.size, 2 * lambda, dloss !== null) },
      });
    }
    return g;
  });
}
