import { ArgumentError, DTypeError, formatShape, ShapeError } from '../errors.js';
import { sameShape } from '../shape.js';
import { empty, type Tensor } from '../tensor.js';
import {
  applyParams, backwardApplyParams, backwardReduceParams, batchNormApplyKernel, batchNormBackwardApplyKernel,
  batchNormBackwardReduceKernel, batchNormStatsKernel, BN_AFFINE, BN_FROM_VAR, BN_RELU, elementwiseWorkgroups, statsParams,
  type BNLayout,
} from '../../kernels/batchnorm.js';

export interface BatchNormOptions {
  /** Weight of the batch statistic in the running average (PyTorch's momentum, default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Apply ReLU to the output in the same pass (BatchNorm → ReLU fusion). */
  relu?: boolean;
}

/** Plain object types (not interfaces), so tidy() accepts and keeps them. */
export type BatchNormTrainResult = {
  y: Tensor;
  /** Batch mean per channel, for the backward pass. */
  saveMean: Tensor;
  /** 1/√(σ²_biased + ε) per channel, for the backward pass. */
  saveInvstd: Tensor;
};

export interface BatchNormBackwardOptions {
  /** The forward output, needed (as the ReLU mask) when the forward fused a ReLU. */
  y?: Tensor;
  relu?: boolean;
}

export type BatchNormGrads = {
  dx: Tensor;
  /** Σdy·x̂ per channel; null without γ (affine = false). */
  dgamma: Tensor | null;
  /** Σdy per channel; null without γ (affine = false). */
  dbeta: Tensor | null;
};

/** x as [N, C, S]: [N, C] and [N, C, L] (BatchNorm1d), [N, C, H, W] (BatchNorm2d) and beyond. */
function layoutOf(op: string, x: Tensor): BNLayout {
  if (x.rank < 2) throw new ShapeError(op, [x.shape], 'input must be [N, C] or [N, C, *spatial]');
  if (x.dtype !== 'f32') throw new DTypeError(op, [x.dtype], 'input must be f32');
  const [batch, channels, ...rest] = x.shape as number[];
  return { batch: batch!, channels: channels!, spatial: rest.reduce((a, d) => a * d, 1) };
}

/** Throws unless `t` is a live f32 tensor of shape [C] on the input's device. */
function checkChannelVector(op: string, name: string, t: Tensor, x: Tensor, channels: number): void {
  t.buffer(op);
  if (t.rt !== x.rt) throw new ArgumentError(op, `${name} lives on another device than the input`);
  if (t.dtype !== 'f32') throw new DTypeError(op, [t.dtype], `${name} must be f32`);
  if (!sameShape(t.shape, [channels])) throw new ShapeError(op, [x.shape, t.shape], `${name} must have shape [C] = [${channels}]`);
}

function checkEps(op: string, eps: number): void {
  if (!(eps > 0) || !Number.isFinite(eps)) throw new ArgumentError(op, `eps must be a positive finite number, got ${eps}`);
}

function affineFlags(gamma: Tensor | null, beta: Tensor | null, relu: boolean): number {
  return (gamma ? BN_AFFINE : 0) | (relu ? BN_RELU : 0);
}

/** γ and β come as a pair or not at all, like nn.BatchNorm's `affine` (the kernels read them together). */
function checkAffine(op: string, x: Tensor, gamma: Tensor | null, beta: Tensor | null, channels: number): void {
  if ((gamma === null) !== (beta === null)) throw new ArgumentError(op, 'gamma and beta must be given together (affine) or both be null');
  if (gamma) checkChannelVector(op, 'gamma', gamma, x, channels);
  if (beta) checkChannelVector(op, 'beta', beta, x, channels);
}

/**
 * Training-mode batch normalisation (PyTorch's BatchNorm1d/2d in train()). Per channel c over N and the
 * spatial dims: μ and the biased σ², then y = γ·(x − μ)/√(σ² + ε) + β (then ReLU if `relu`).
 * `runningMean`/`runningVar` ([C], optional together) are updated in place on the GPU:
 * r ← (1 − momentum)·r + momentum·batch, with the unbiased variance σ²·n/(n − 1) for runningVar.
 */
export function batchNormTrain(
  x: Tensor, gamma: Tensor | null, beta: Tensor | null, runningMean: Tensor | null, runningVar: Tensor | null,
  opts: BatchNormOptions = {},
): BatchNormTrainResult {
  const op = 'batchNormTrain';
  const l = layoutOf(op, x);
  x.buffer(op);
  const momentum = opts.momentum ?? 0.1, eps = opts.eps ?? 1e-5, relu = opts.relu ?? false;
  checkAffine(op, x, gamma, beta, l.channels);
  if ((runningMean === null) !== (runningVar === null)) throw new ArgumentError(op, 'runningMean and runningVar must be given together or both be null');
  if (runningMean && runningVar) {
    checkChannelVector(op, 'runningMean', runningMean, x, l.channels);
    checkChannelVector(op, 'runningVar', runningVar, x, l.channels);
    if (runningMean.storage === runningVar.storage) throw new ArgumentError(op, 'runningMean and runningVar must be different tensors');
  }
  if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentError(op, `momentum must be in [0, 1], got ${momentum}`);
  checkEps(op, eps);
  if (l.batch * l.spatial <= 1) {
    throw new ArgumentError(op, `Expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}`);
  }
  const rt = x.rt;
  const y = empty(x.shape, 'f32', op, rt);
  const saveMean = empty([l.channels], 'f32', op, rt);
  const saveInvstd = empty([l.channels], 'f32', op, rt);
  // Without running statistics the kernel is told not to touch them; its bindings get stand-ins.
  const rm = runningMean ?? empty([l.channels], 'f32', op, rt);
  const rv = runningVar ?? empty([l.channels], 'f32', op, rt);
  rt.dispatch({
    op, kernel: batchNormStatsKernel, workgroups: l.channels,
    bindings: {
      x: x.buffer(op), save_mean: saveMean.buffer(op), save_invstd: saveInvstd.buffer(op),
      running_mean: rm.buffer(op), running_var: rv.buffer(op), p: statsParams(l, eps, momentum, runningMean !== null),
    },
  });
  if (!runningMean) {
    rm.dispose();
    rv.dispose();
  }
  rt.dispatch({
    op, kernel: batchNormApplyKernel, workgroups: elementwiseWorkgroups(l),
    bindings: {
      x: x.buffer(op), mean: saveMean.buffer(op), invstd_or_var: saveInvstd.buffer(op),
      gamma: (gamma ?? saveMean).buffer(op), beta: (beta ?? saveMean).buffer(op), y: y.buffer(op),
      p: applyParams(l, eps, affineFlags(gamma, beta, relu)),
    },
  });
  return { y, saveMean, saveInvstd };
}

/** Eval-mode batch normalisation: y = γ·(x − running_mean)/√(running_var + ε) + β (then ReLU if `relu`). */
export function batchNormEval(
  x: Tensor, gamma: Tensor | null, beta: Tensor | null, runningMean: Tensor, runningVar: Tensor,
  opts: Omit<BatchNormOptions, 'momentum'> = {},
): Tensor {
  const op = 'batchNormEval';
  const l = layoutOf(op, x);
  x.buffer(op);
  const eps = opts.eps ?? 1e-5, relu = opts.relu ?? false;
  checkAffine(op, x, gamma, beta, l.channels);
  checkChannelVector(op, 'runningMean', runningMean, x, l.channels);
  checkChannelVector(op, 'runningVar', runningVar, x, l.channels);
  checkEps(op, eps);
  const rt = x.rt;
  const y = empty(x.shape, 'f32', op, rt);
  if (y.size === 0) return y;
  rt.dispatch({
    op, kernel: batchNormApplyKernel, workgroups: elementwiseWorkgroups(l),
    bindings: {
      x: x.buffer(op), mean: runningMean.buffer(op), invstd_or_var: runningVar.buffer(op),
      gamma: (gamma ?? runningMean).buffer(op), beta: (beta ?? runningMean).buffer(op), y: y.buffer(op),
      p: applyParams(l, eps, affineFlags(gamma, beta, relu) | BN_FROM_VAR),
    },
  });
  return y;
}

/**
 * Backward of `batchNormTrain` in two passes: a per-channel reduction giving dβ = Σdy and dγ = Σdy·x̂,
 * then dx = γ·invstd/n·(n·dy − Σdy − x̂·Σdy·x̂) elementwise (n = N·S). With a fused ReLU, dy is first
 * masked by y > 0, so `y` (the forward output) is required.
 */
export function batchNormBackward(
  dy: Tensor, x: Tensor, gamma: Tensor | null, saveMean: Tensor, saveInvstd: Tensor, opts: BatchNormBackwardOptions = {},
): BatchNormGrads {
  const op = 'batchNormBackward';
  const l = layoutOf(op, x);
  x.buffer(op);
  dy.buffer(op);
  const relu = opts.relu ?? false;
  if (dy.rt !== x.rt) throw new ArgumentError(op, 'dy lives on another device than x');
  if (dy.dtype !== 'f32') throw new DTypeError(op, [dy.dtype], 'dy must be f32');
  if (!sameShape(dy.shape, x.shape)) throw new ShapeError(op, [dy.shape, x.shape], 'dy must have the shape of x');
  if (gamma) checkChannelVector(op, 'gamma', gamma, x, l.channels);
  checkChannelVector(op, 'saveMean', saveMean, x, l.channels);
  checkChannelVector(op, 'saveInvstd', saveInvstd, x, l.channels);
  if (relu) {
    const y = opts.y;
    if (!y) throw new ArgumentError(op, 'a fused ReLU needs the forward output: pass { y }');
    y.buffer(op);
    if (y.rt !== x.rt) throw new ArgumentError(op, 'y lives on another device than x');
    if (y.dtype !== 'f32' || !sameShape(y.shape, x.shape)) throw new ShapeError(op, [y.shape, x.shape], 'y must be an f32 tensor with the shape of x');
  }
  const rt = x.rt;
  const dx = empty(x.shape, 'f32', op, rt);
  const dbeta = empty([l.channels], 'f32', op, rt);
  const dgamma = empty([l.channels], 'f32', op, rt);
  const coef = empty([l.channels, 4], 'f32', op, rt);
  // Without ReLU the kernels never read y; dy stands in for the binding.
  const yBuf = (relu ? opts.y! : dy).buffer(op);
  rt.dispatch({
    op, kernel: batchNormBackwardReduceKernel, workgroups: l.channels,
    bindings: {
      dy: dy.buffer(op), x: x.buffer(op), y: yBuf, mean: saveMean.buffer(op), invstd: saveInvstd.buffer(op),
      dbeta: dbeta.buffer(op), dgamma: dgamma.buffer(op), coef: coef.buffer(op), p: backwardReduceParams(l, relu),
    },
  });
  if (dx.size) {
    rt.dispatch({
      op, kernel: batchNormBackwardApplyKernel, workgroups: elementwiseWorkgroups(l),
      bindings: {
        dy: dy.buffer(op), x: x.buffer(op), y: yBuf, gamma: (gamma ?? saveMean).buffer(op), coef: coef.buffer(op), dx: dx.buffer(op),
        p: backwardApplyParams(l, (gamma ? BN_AFFINE : 0) | (relu ? BN_RELU : 0)),
      },
    });
  }
  coef.dispose();
  if (!gamma) {
    dgamma.dispose();
    dbeta.dispose();
  }
  return { dx, dgamma: gamma ? dgamma : null, dbeta: gamma ? dbeta : null };
}
