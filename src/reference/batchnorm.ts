import type { RefTensor } from './ref-tensor.js';

/** x as [N, C, S]: BatchNorm normalises each channel over N and the spatial dims S = H·W (or L). */
function layout(x: RefTensor): { n: number; c: number; s: number } {
  const [n = 0, c = 0, ...rest] = x.shape;
  return { n, c, s: rest.reduce((a, d) => a * d, 1) };
}

/** Calls f(flatIndex, channel) for every element. */
function forEach(x: RefTensor, f: (i: number, ch: number) => void): void {
  const { c, s } = layout(x);
  for (let i = 0; i < x.data.length; i++) f(i, Math.floor(i / s) % c);
}

function perChannel(values: RefTensor | null | undefined, ch: number, fallback: number): number {
  return values ? values.data[ch]! : fallback;
}

export interface RefBatchNormOptions {
  momentum?: number;
  eps?: number;
  relu?: boolean;
}

export interface RefBatchNormTrainResult {
  y: RefTensor;
  saveMean: RefTensor;
  saveInvstd: RefTensor;
  /** The running statistics after this step (the inputs are not modified). */
  runningMean: RefTensor | null;
  runningVar: RefTensor | null;
}

function normalize(x: RefTensor, mean: Float64Array, invstd: Float64Array, gamma: RefTensor | null, beta: RefTensor | null, relu: boolean): RefTensor {
  const y = new Float64Array(x.data.length);
  forEach(x, (i, ch) => {
    const v = perChannel(gamma, ch, 1) * (x.data[i]! - mean[ch]!) * invstd[ch]! + perChannel(beta, ch, 0);
    y[i] = relu ? Math.max(v, 0) : v;
  });
  return { shape: [...x.shape], data: y };
}

/** Training-mode batch norm: two-pass batch mean and biased variance per channel, PyTorch's running-stat update. */
export function refBatchNormTrain(
  x: RefTensor, gamma: RefTensor | null, beta: RefTensor | null, runningMean: RefTensor | null, runningVar: RefTensor | null,
  opts: RefBatchNormOptions = {},
): RefBatchNormTrainResult {
  const { n, c, s } = layout(x);
  const momentum = opts.momentum ?? 0.1, eps = opts.eps ?? 1e-5;
  const m = n * s;
  const mean = new Float64Array(c), variance = new Float64Array(c);
  forEach(x, (i, ch) => { mean[ch] += x.data[i]!; });
  for (let ch = 0; ch < c; ch++) mean[ch] /= m;
  forEach(x, (i, ch) => { variance[ch] += (x.data[i]! - mean[ch]!) ** 2; });
  for (let ch = 0; ch < c; ch++) variance[ch] /= m;
  const invstd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const update = (r: RefTensor | null, batch: (ch: number) => number): RefTensor | null =>
    r && { shape: [c], data: r.data.map((v, ch) => (1 - momentum) * v + momentum * batch(ch)) };
  return {
    y: normalize(x, mean, invstd, gamma, beta, opts.relu ?? false),
    saveMean: { shape: [c], data: mean },
    saveInvstd: { shape: [c], data: invstd },
    runningMean: update(runningMean, (ch) => mean[ch]!),
    runningVar: update(runningVar, (ch) => (variance[ch]! * m) / (m - 1)),
  };
}

/** Eval-mode batch norm: normalises with the running statistics. */
export function refBatchNormEval(
  x: RefTensor, gamma: RefTensor | null, beta: RefTensor | null, runningMean: RefTensor, runningVar: RefTensor,
  opts: Omit<RefBatchNormOptions, 'momentum'> = {},
): RefTensor {
  const eps = opts.eps ?? 1e-5;
  return normalize(x, runningMean.data, runningVar.data.map((v) => 1 / Math.sqrt(v + eps)), gamma, beta, opts.relu ?? false);
}

/**
 * Training-mode backward with m = N·S values per channel: dβ = Σdy, dγ = Σdy·x̂,
 * dx = γ·invstd/m·(m·dy − Σdy − x̂·Σdy·x̂), where dy is first masked by y > 0 if the forward fused a ReLU.
 */
export function refBatchNormBackward(
  dy: RefTensor, x: RefTensor, gamma: RefTensor | null, saveMean: RefTensor, saveInvstd: RefTensor,
  opts: { y?: RefTensor; relu?: boolean } = {},
): { dx: RefTensor; dgamma: RefTensor; dbeta: RefTensor } {
  const { n, c, s } = layout(x);
  const m = n * s;
  const y = opts.y;
  if (opts.relu && !y) throw new Error('refBatchNormBackward: a fused ReLU needs the forward output y');
  const g = opts.relu ? dy.data.map((v, i) => (y!.data[i]! > 0 ? v : 0)) : dy.data;
  const xhat = (i: number, ch: number) => (x.data[i]! - saveMean.data[ch]!) * saveInvstd.data[ch]!;
  const sumDy = new Float64Array(c), sumDyXhat = new Float64Array(c);
  forEach(x, (i, ch) => {
    sumDy[ch] += g[i]!;
    sumDyXhat[ch] += g[i]! * xhat(i, ch);
  });
  const dx = new Float64Array(x.data.length);
  forEach(x, (i, ch) => {
    dx[i] = (perChannel(gamma, ch, 1) * saveInvstd.data[ch]! / m) * (m * g[i]! - sumDy[ch]! - xhat(i, ch) * sumDyXhat[ch]!);
  });
  return { dx: { shape: [...x.shape], data: dx }, dgamma: { shape: [c], data: sumDyXhat }, dbeta: { shape: [c], data: sumDy } };
}
