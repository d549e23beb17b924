import type { RefTensor } from './ref-tensor.js';
import { refTranspose } from './transpose.js';

/** Pointwise activations; `gelu` is PyTorch's exact (erf) form, `geluTanh` its approximate = 'tanh'. */
export type RefActivationKind = 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'elu' | 'gelu' | 'geluTanh';

export interface RefActivationOptions {
  /** LeakyReLU's negative slope (default 0.01). */
  slope?: number;
  /** ELU's α (default 1). */
  alpha?: number;
}

/** erfc(z) for z ≥ 3 by its continued fraction, e^{−z²}/√π · 1/(z + ½/(z + 1/(z + (3/2)/(z + …)))), 60 terms. */
function erfcTail(z: number): number {
  let k = 0;
  for (let n = 60; n >= 1; n--) k = n / 2 / (z + k);
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + k);
}

/**
 * erf(z) = 2/√π·e^{−z²}·Σ 2ⁿz^{2n+1}/(1·3···(2n+1)) for |z| < 3: every term is positive, so the sum is
 * accurate to a few ulp of float64.
 */
function erfSeries(z: number): number {
  let term = z, sum = z;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * z * z) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
}

/** The error function in float64 (JavaScript has none). */
export function refErf(z: number): number {
  if (Math.abs(z) < 3) return erfSeries(z);
  return Math.sign(z) * (1 - erfcTail(Math.abs(z)));
}

/** 1 − erf(z), accurate relative to its own size in the tail (where 1 − refErf(z) would cancel). */
export function refErfc(z: number): number {
  return z >= 3 ? erfcTail(z) : 1 - refErf(z);
}

/** Φ(x), the standard normal CDF. */
function normalCdf(x: number): number {
  return 0.5 * refErfc(-x / Math.SQRT2);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_KAPPA = 0.044715;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The activation of one value. */
export function refActivationValue(kind: RefActivationKind, x: number, opts: RefActivationOptions = {}): number {
  switch (kind) {
    case 'sigmoid': return sigmoid(x);
    case 'tanh': return Math.tanh(x);
    case 'relu': return x < 0 ? 0 : x;
    case 'leakyRelu': return x > 0 ? x : (opts.slope ?? 0.01) * x;
    case 'elu': return x > 0 ? x : (opts.alpha ?? 1) * Math.expm1(x);
    case 'gelu': return x * normalCdf(x);
    // 0.5·(1 + tanh(u)) = σ(2u).
    case 'geluTanh': return x * sigmoid(2 * SQRT_2_OVER_PI * (x + GELU_KAPPA * x ** 3));
  }
}

/**
 * d activation/dx at one point, from x (the reference always has x; which of x or y the GPU backward needs is
 * `ACTIVATION_BACKWARD_INPUT` in src/ops/activation.ts). At the kink x = 0 ReLU/LeakyReLU take the
 * left derivative and ELU its x ≤ 0 branch, as in PyTorch.
 */
export function refActivationDerivative(kind: RefActivationKind, x: number, opts: RefActivationOptions = {}): number {
  switch (kind) {
    case 'sigmoid': { const s = sigmoid(x); return s * (1 - s); }
    case 'tanh': return 1 - Math.tanh(x) ** 2;
    case 'relu': return x > 0 ? 1 : 0;
    case 'leakyRelu': return x > 0 ? 1 : (opts.slope ?? 0.01);
    case 'elu': return x > 0 ? 1 : (opts.alpha ?? 1) * Math.exp(x);
    case 'gelu': return normalCdf(x) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
    case 'geluTanh': {
      const u2 = 2 * SQRT_2_OVER_PI * (x + GELU_KAPPA * x ** 3);
      const s = sigmoid(u2);
      return s + x * s * (1 - s) * 2 * SQRT_2_OVER_PI * (1 + 3 * GELU_KAPPA * x * x);
    }
  }
}

export function refActivation(kind: RefActivationKind, x: RefTensor, opts: RefActivationOptions = {}): RefTensor {
  return { shape: [...x.shape], data: x.data.map((v) => refActivationValue(kind, v, opts)) };
}

/** dx = dy · f′(x). */
export function refActivationBackward(kind: RefActivationKind, dy: RefTensor, x: RefTensor, opts: RefActivationOptions = {}): RefTensor {
  return { shape: [...x.shape], data: x.data.map((v, i) => dy.data[i]! * refActivationDerivative(kind, v, opts)) };
}

/** Calls f(offset, length) for each row along the last axis. */
function forEachRow(shape: readonly number[], f: (offset: number, len: number) => void): void {
  const len = shape[shape.length - 1]!;
  const rows = shape.slice(0, -1).reduce((a, d) => a * d, 1);
  for (let r = 0; r < rows; r++) f(r * len, len);
}

function rowSoftmax(x: RefTensor, log: boolean): RefTensor {
  const y = new Float64Array(x.data.length);
  forEachRow(x.shape, (o, len) => {
    const row = x.data.subarray(o, o + len);
    const m = row.reduce((a, b) => Math.max(a, b), -Infinity);
    const s = row.reduce((a, b) => a + Math.exp(b - m), 0);
    row.forEach((v, i) => { y[o + i] = log ? v - m - Math.log(s) : Math.exp(v - m) / s; });
  });
  return { shape: [...x.shape], data: y };
}

/** Applies a last-axis row function along `axis` by swapping it with the last axis around it. */
function alongAxis(inputs: readonly RefTensor[], axis: number, f: (...t: RefTensor[]) => RefTensor): RefTensor {
  const rank = inputs[0]!.shape.length;
  if (axis === -1 || axis === rank - 1) return f(...inputs);
  return refTranspose(f(...inputs.map((t) => refTranspose(t, axis, -1))), axis, -1);
}

/** Softmax along `axis` (default the last). */
export function refSoftmax(x: RefTensor, axis = -1): RefTensor {
  return alongAxis([x], axis, (t) => rowSoftmax(t, false));
}

export function refLogSoftmax(x: RefTensor, axis = -1): RefTensor {
  return alongAxis([x], axis, (t) => rowSoftmax(t, true));
}

/** dx = y ⊙ (dy − Σ dy·y) along `axis`. */
export function refSoftmaxBackward(dy: RefTensor, y: RefTensor, axis = -1): RefTensor {
  return alongAxis([dy, y], axis, (g, t) => {
    const dx = new Float64Array(t.data.length);
    forEachRow(t.shape, (o, len) => {
      let dot = 0;
      for (let i = 0; i < len; i++) dot += g.data[o + i]! * t.data[o + i]!;
      for (let i = 0; i < len; i++) dx[o + i] = t.data[o + i]! * (g.data[o + i]! - dot);
    });
    return { shape: [...t.shape], data: dx };
  });
}

/** dx = dy − exp(y)·Σ dy along `axis` (y = log-softmax). */
export function refLogSoftmaxBackward(dy: RefTensor, y: RefTensor, axis = -1): RefTensor {
  return alongAxis([dy, y], axis, (g, t) => {
    const dx = new Float64Array(t.data.length);
    forEachRow(t.shape, (o, len) => {
      let s = 0;
      for (let i = 0; i < len; i++) s += g.data[o + i]!;
      for (let i = 0; i < len; i++) dx[o + i] = g.data[o + i]! - Math.exp(t.data[o + i]!) * s;
    });
    return { shape: [...t.shape], data: dx };
  });
}

/** Index in its group of k of the group's maximum: first on ties, a NaN wins (as torch.max). */
function groupArgmax(x: Float64Array, start: number, k: number): number {
  let best = 0;
  for (let i = 1; i < k; i++) {
    const v = x[start + i]!, b = x[start + best]!;
    if (!Number.isNaN(b) && (v > b || Number.isNaN(v))) best = i;
  }
  return best;
}

/** [..., k·m] → [..., m]: the max of each group of k consecutive features, x.view(..., m, k).max(-1). */
export function refMaxout(x: RefTensor, k: number): RefTensor {
  const shape = [...x.shape.slice(0, -1), x.shape[x.shape.length - 1]! / k];
  const y = new Float64Array(x.data.length / k);
  for (let g = 0; g < y.length; g++) y[g] = x.data[g * k + groupArgmax(x.data, g * k, k)]!;
  return { shape, data: y };
}

/** Routes each dy to its group's argmax. */
export function refMaxoutBackward(dy: RefTensor, x: RefTensor, k: number): RefTensor {
  const dx = new Float64Array(x.data.length);
  for (let g = 0; g < dy.data.length; g++) dx[g * k + groupArgmax(x.data, g * k, k)] = dy.data[g]!;
  return { shape: [...x.shape], data: dx };
}
