import { needsGrad, record } from '../autograd.js';
import { ArgumentError } from '../errors.js';
import * as A from '../ops/activation.js';
import * as BN from '../ops/batchnorm.js';
import * as C from '../ops/conv.js';
import * as D from '../ops/dropout.js';
import * as E from '../ops/elementwise.js';
import * as P from '../ops/pool.js';
import { sum } from '../ops/reduce.js';
import type { Tensor } from '../tensor.js';
import { activateUnfused, isReluOutput, markMasked, markReluOutput, OUTPUT_BASED_ACTIVATIONS, outputActivationBackward } from './util.js';

/** Differentiable layers' functional forms: forward kernels and backward rules side by side. */

/**
 * conv2d with bias and activation epilogue (relu/sigmoid/tanh stay fused when training; others run after).
 * `dwSamplesPerPartial` and `dbPlanChannels` pin how the backward sums (see conv2dBackward).
 */
export function conv2d(x: Tensor, w: Tensor, opts: C.Conv2dOptions & Pick<C.Conv2dBackwardOptions, 'dwSamplesPerPartial' | 'dbPlanChannels'> = {}): Tensor {
  const bias = opts.bias ?? null;
  if (!needsGrad(x, w, bias)) return C.conv2d(x, w, opts);
  const act = opts.activation ?? 'none';
  if (act !== 'none' && !OUTPUT_BASED_ACTIVATIONS.has(act)) {
    // slope/alpha belong to the activation: the op rejects them with activation 'none'.
    const pre = conv2d(x, w, { ...opts, activation: 'none', slope: undefined, alpha: undefined });
    return activateUnfused(act, pre, opts);
  }
  const y = C.conv2d(x, w, opts);
  if (act === 'relu') markReluOutput(y);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record(y, 'conv2d', inputs, (g) => {
    const dpre = outputActivationBackward(act, g, y);
    const grads = C.conv2dBackward(dpre, x, w, {
      stride: opts.stride, padding: opts.padding, dilation: opts.dilation, groups: opts.groups, maxIm2colBytes: opts.maxIm2colBytes,
      dwSamplesPerPartial: opts.dwSamplesPerPartial, dbPlanChannels: opts.dbPlanChannels,
      needs: { dx: x.requiresGrad, dw: w.requiresGrad, db: !!bias?.requiresGrad },
    });
    if (dpre !== g) dpre.dispose();
    return bias ? [grads.dx, grads.dw, grads.db] : [grads.dx, grads.dw];
  });
}

export function maxPool2d(x: Tensor, opts: P.Pool2dOptions): Tensor {
  const { y, indices } = P.maxPool2d(x, opts);
  if (!needsGrad(x)) {
    indices.dispose();
    return y;
  }
  // Pooling a ReLU's output (conv → ReLU → pool): the ReLU's backward rides in the pool's.
  if (isReluOutput(x)) return record(y, 'maxPool2d', [x], (g) => [markMasked(P.maxPool2dBackward(g, indices, x.shape, opts, x))]);
  return record(y, 'maxPool2d', [x], (g) => [P.maxPool2dBackward(g, indices, x.shape, opts)]);
}

export function avgPool2d(x: Tensor, opts: P.AvgPool2dOptions): Tensor {
  const y = P.avgPool2d(x, opts);
  return needsGrad(x) ? record(y, 'avgPool2d', [x], (g) => [P.avgPool2dBackward(g, x.shape, opts)]) : y;
}

/** Mean over H and W: [N, C, H, W] → [N, C, 1, 1] (keepDims) or [N, C]. */
export function globalAvgPool2d(x: Tensor, keepDims = true): Tensor {
  const y = P.globalAvgPool2d(x, keepDims);
  return needsGrad(x) ? record(y, 'globalAvgPool2d', [x], (g) => [P.globalAvgPool2dBackward(g, x.shape)]) : y;
}

export interface BatchNormArgs extends BN.BatchNormOptions {
  /** Batch statistics (and running-stat updates) when true, running statistics when false. */
  training: boolean;
}

/** Batch normalisation over channel axis 1 (BatchNorm1d/2d), optionally with a fused ReLU. */
export function batchNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, runningMean: Tensor | null, runningVar: Tensor | null, args: BatchNormArgs): Tensor {
  const relu = args.relu ?? false;
  if (!args.training) {
    if (!runningMean || !runningVar) throw new ArgumentError('batchNorm', 'eval mode needs running statistics');
    const y = BN.batchNormEval(x, gamma, beta, runningMean, runningVar, { eps: args.eps, relu });
    if (!needsGrad(x, gamma, beta)) return y;
    return recordEvalBackward(y, x, gamma, beta, runningMean, runningVar, args.eps ?? 1e-5, relu);
  }
  const { y, saveMean, saveInvstd } = BN.batchNormTrain(x, gamma, beta, runningMean, runningVar, args);
  if (!needsGrad(x, gamma, beta)) {
    saveMean.dispose();
    saveInvstd.dispose();
    return y;
  }
  const inputs = gamma && beta ? [x, gamma, beta] : [x];
  return record(y, 'batchNorm', inputs, (g) => {
    const r = BN.batchNormBackward(g, x, gamma, saveMean, saveInvstd, { y, relu });
    return gamma && beta ? [r.dx, r.dgamma, r.dbeta] : [r.dx];
  });
}

/**
 * Eval mode is an affine map per channel: y = x·s + t with s = γ/√(var+ε). Gradients (for fine-tuning
 * with frozen statistics): dx = dy·s, dγ = Σ dy·x̂, dβ = Σ dy, with ReLU's mask applied to dy first.
 */
function recordEvalBackward(y: Tensor, x: Tensor, gamma: Tensor | null, beta: Tensor | null, rm: Tensor, rv: Tensor, eps: number, relu: boolean): Tensor {
  const bshape = [1, x.shape[1]!, ...x.shape.slice(2).map(() => 1)];
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const inputs = gamma && beta ? [x, gamma, beta] : [x];
  return record(y, 'batchNormEval', inputs, (g) => {
    const dy = relu ? A.activationBackward('relu', g, y) : g;
    const v = E.add(rv, eps), inv = E.rsqrt(v);
    const s = gamma ? E.mul(inv, gamma) : inv;
    const sv = s.reshape(bshape);
    const dx = E.mul(dy, sv);
    let dgamma: Tensor | null = null, dbeta: Tensor | null = null;
    if (gamma && beta) {
      const centered = E.sub(x, rm.reshape(bshape));
      const xhat = E.mul(centered, inv.reshape(bshape));
      const prod = E.mul(dy, xhat);
      dgamma = sum(prod, axes);
      dbeta = sum(dy, axes);
      for (const t of [centered, xhat, prod]) t.dispose();
    }
    for (const t of new Set([v, inv, s, sv])) t.dispose();
    if (dy !== g) dy.dispose();
    return gamma && beta ? [dx, dgamma, dbeta] : [dx];
  });
}

/** Inverted dropout with the mask of (seed, step); the backward regenerates it. */
export function dropout(x: Tensor, opts: D.DropoutOptions): Tensor {
  const y = D.dropout(x, opts);
  return needsGrad(x) ? record(y, 'dropout', [x], (g) => [D.dropoutBackward(g, opts)]) : y;
}
