import type { RefTensor } from './ref-tensor.js';

export type RefReduction = 'mean' | 'sum' | 'none';

function reduce(values: Float64Array, shape: readonly number[], reduction: RefReduction): RefTensor {
  if (reduction === 'none') return { shape: [...shape], data: values };
  const sum = values.reduce((a, b) => a + b, 0);
  return { shape: [], data: Float64Array.of(reduction === 'sum' ? sum : sum / values.length) };
}

/** The upstream gradient of each unreduced loss term (∂L/∂loss_i) for an upstream dloss of the reduced loss. */
function upstream(dloss: RefTensor | null, count: number, reduction: RefReduction): (i: number) => number {
  const scale = reduction === 'mean' ? 1 / count : 1;
  if (!dloss) return () => scale;
  if (reduction === 'none') return (i) => dloss.data[i]!;
  return () => scale * dloss.data[0]!;
}

/** PyTorch's smoothed target: q = (1 − ε)·onehot(label) + ε/C. */
function target(label: number, j: number, classes: number, smoothing: number): number {
  return (j === label ? 1 - smoothing : 0) + smoothing / classes;
}

export interface RefCrossEntropyOptions {
  reduction?: RefReduction;
  labelSmoothing?: number;
}

/** Textbook softmax cross-entropy from logits [N, C]: loss_i = −Σ_j q_ij·log softmax(z_i)_j. */
export function refSoftmaxCrossEntropy(logits: RefTensor, labels: ArrayLike<number>, opts: RefCrossEntropyOptions = {}): RefTensor {
  const [n = 0, c = 0] = logits.shape;
  const eps = opts.labelSmoothing ?? 0;
  const losses = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const row = logits.data.subarray(r * c, (r + 1) * c);
    const k = row.indexOf(Math.max(...row));
    // logsumexp − z_j = (m − z_j) + log1p(Σ_{i≠argmax} e^(z_i − m)): exact even when the loss is tiny.
    const logSum = Math.log1p(row.reduce((a, z, i) => (i === k ? a : a + Math.exp(z - row[k]!)), 0));
    for (let j = 0; j < c; j++) losses[r] += target(labels[r]!, j, c, eps) * (row[k]! - row[j]! + logSum);
  }
  return reduce(losses, [n], opts.reduction ?? 'mean');
}

/** ∂L/∂logits = dloss_i·(softmax(z_i) − q_i), with dloss_i = 1/N (mean), 1 (sum) or the given upstream gradient. */
export function refSoftmaxCrossEntropyBackward(logits: RefTensor, labels: ArrayLike<number>, dloss: RefTensor | null, opts: RefCrossEntropyOptions = {}): RefTensor {
  const [n = 0, c = 0] = logits.shape;
  const eps = opts.labelSmoothing ?? 0;
  const up = upstream(dloss, n, opts.reduction ?? 'mean');
  const grad = new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    const row = logits.data.subarray(r * c, (r + 1) * c);
    const m = Math.max(...row);
    const sum = row.reduce((a, z) => a + Math.exp(z - m), 0);
    for (let j = 0; j < c; j++) grad[r * c + j] = up(r) * (Math.exp(row[j]! - m) / sum - target(labels[r]!, j, c, eps));
  }
  return { shape: [n, c], data: grad };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Binary cross-entropy on probabilities σ(z), written as the textbook −[y·log σ(z) + (1 − y)·log(1 − σ(z))]. */
export function refBceWithLogits(logits: RefTensor, targets: RefTensor, opts: { reduction?: RefReduction } = {}): RefTensor {
  const losses = logits.data.map((z, i) => {
    const y = targets.data[i]!;
    // log σ(z) = −log(1 + e^(−z)); log(1 − σ(z)) = −log(1 + e^(z)). log1p keeps float64 exact at large |z|.
    return y * Math.log1p(Math.exp(-z)) + (1 - y) * Math.log1p(Math.exp(z));
  });
  return reduce(losses, logits.shape, opts.reduction ?? 'mean');
}

export function refBceWithLogitsBackward(logits: RefTensor, targets: RefTensor, dloss: RefTensor | null, opts: { reduction?: RefReduction } = {}): RefTensor {
  const up = upstream(dloss, logits.data.length, opts.reduction ?? 'mean');
  return { shape: [...logits.shape], data: logits.data.map((z, i) => up(i) * (sigmoid(z) - targets.data[i]!)) };
}

/** Mean (or summed) squared error, the lecture's Q(w) = (1/ℓ)·Σ(⟨w, x⟩ − y)². */
export function refMse(pred: RefTensor, targets: RefTensor, opts: { reduction?: RefReduction } = {}): RefTensor {
  return reduce(pred.data.map((v, i) => (v - targets.data[i]!) ** 2), pred.shape, opts.reduction ?? 'mean');
}

export function refMseBackward(pred: RefTensor, targets: RefTensor, dloss: RefTensor | null, opts: { reduction?: RefReduction } = {}): RefTensor {
  const up = upstream(dloss, pred.data.length, opts.reduction ?? 'mean');
  return { shape: [...pred.shape], data: pred.data.map((v, i) => up(i) * 2 * (v - targets.data[i]!)) };
}

/** The lecture's L2 regulariser R(W) = λ·Σ_W Σ w² over all given parameters. */
export function refL2Penalty(params: readonly RefTensor[], lambda: number): RefTensor {
  let sum = 0;
  for (const w of params) for (const v of w.data) sum += v * v;
  return { shape: [], data: Float64Array.of(lambda * sum) };
}

/** ∂R/∂W = 2λ·W (times the upstream scalar gradient, if given). */
export function refL2PenaltyBackward(params: readonly RefTensor[], lambda: number, dloss: RefTensor | null = null): RefTensor[] {
  const k = 2 * lambda * (dloss ? dloss.data[0]! : 1);
  return params.map((w) => ({ shape: [...w.shape], data: w.data.map((v) => k * v) }));
}
