import { beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/index.js';
import {
  activation, activationBackward, ACTIVATION_BACKWARD_INPUT, elu, gelu, leakyRelu, logSoftmax, logSoftmaxBackward, maxout,
  maxoutBackward, softmax, softmaxBackward, type ActivationKind, type ActivationOptions,
} from '../../src/ops/activation.js';
import {
  refActivation, refActivationBackward, refActivationDerivative, refActivationValue, refErfc, refLogSoftmax, refLogSoftmaxBackward,
  refMaxout, refMaxoutBackward, refSoftmax, refSoftmaxBackward, type RefActivationKind,
} from '../../src/reference/activation.js';
import { ref } from '../../src/reference/ref-tensor.js';
import { expectClose, expectEqual } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

beforeAll(async () => {
  await testRuntime();
});

const U = 2 ** -24;
/** Smallest normal f32: results below it may be flushed to zero. */
const FLT_MIN = 2 ** -126;

/** |actual − expected| ≤ bound[i] for every i: the errors in units of their own bound must be ≤ 1. */
function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, bound: ArrayLike<number>, what: string): void {
  const scaled = Array.from(expected, (e, i) => (actual[i]! - e) / bound[i]!);
  expectClose(scaled, new Float64Array(scaled.length), { rtol: 0, atol: 1 }, `${what} (error / its bound)`);
}

const GELU_TANH_ARG = (x: number) => 2 * Math.sqrt(2 / Math.PI) * Math.abs(x + 0.044715 * x ** 3);

/**
 * Relative error bound of each forward in units of u = 2⁻²⁴. WGSL allows exp(a) an error of 3 + 2|a| ulp,
 * and each other operation is one rounding (division 2.5): sigmoid e^{−|x|} then 1/(1 + e) and a product;
 * tanh and ELU e^{±2|x|}-type terms whose subtraction at most doubles the error (|x| ≥ 0.5 branches; the
 * polynomials near 0 are ~10 roundings); GELU's erfc: the fit (1.05e-7 ≈ 2u), ~120u for the Horner sum
 * in its exponent (Σ|cᵢ| ≈ 6.8 over 9 steps) and exp of −z² − 1.27 + poly (z = |x|/√2); the tanh GELU
 * e^{−|2u|}, whose argument also carries ~4 roundings of relative size.
 */
function forwardUlps(kind: RefActivationKind, x: number): number {
  const a = Math.abs(x);
  switch (kind) {
    case 'sigmoid': return 8 + 2 * a;
    case 'tanh': case 'elu': return 8 + 4 * a;
    case 'relu': return 0;
    case 'leakyRelu': return 2;
    case 'gelu': return 130 + 2 * x * x;
    case 'geluTanh': return 10 + 6 * GELU_TANH_ARG(x);
  }
}

/**
 * |error| bound of dx = dy·f′ when the GPU backward is fed the GPU forward's output or input (as autograd
 * will): the forward's relative error (for y-based kinds) or the same transcendental's error, times the size of
 * each term of f′, plus a few roundings.
 */
function backwardBound(kind: RefActivationKind, x: number, dy: number, o: ActivationOptions): number {
  const y = refActivationValue(kind, x, o);
  const eps = forwardUlps(kind, x) * U;
  const d = Math.abs(refActivationDerivative(kind, x, o));
  switch (kind) {
    case 'sigmoid': return Math.abs(dy) * (eps + 4 * U) * y;
    case 'tanh': return Math.abs(dy) * ((2 * eps + 2 * U) * y * y + 4 * U);
    case 'relu': return 0;
    case 'leakyRelu': return Math.abs(dy) * 2 * U * d;
    case 'elu': return Math.abs(dy) * (x > 0 ? 0 : (6 + 2 * Math.abs(x)) * U * d);
    case 'gelu': {
      const pdfTerm = Math.abs(x) * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
      return Math.abs(dy) * (eps * 0.5 * refErfc(-x / Math.SQRT2) + (6 + 2 * x * x) * U * pdfTerm + 2 * U * d);
    }
    case 'geluTanh': {
      const s = 1 / (1 + Math.exp(-2 * Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
      const rest = Math.abs(x * s * (1 - s) * 2 * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x));
      return Math.abs(dy) * (eps * s + (2 * eps + 8 * U) * rest);
    }
  }
}

const KINDS: [ActivationKind, ActivationOptions, RefActivationKind][] = [
  ['sigmoid', {}, 'sigmoid'], ['tanh', {}, 'tanh'], ['relu', {}, 'relu'], ['leakyRelu', {}, 'leakyRelu'],
  ['leakyRelu', { slope: 0.1 }, 'leakyRelu'], ['elu', {}, 'elu'], ['elu', { alpha: 0.5 }, 'elu'], ['gelu', {}, 'gelu'],
  ['gelu', { approximate: 'tanh' }, 'geluTanh'],
];

describe('pointwise activations', () => {
  it('forward and backward match the reference within their error bounds, tails and zero included', async () => {
    const rng = new Rng();
    for (const n of [1, 3 * 7, 1000]) {
      const data = rng.uniform(n, -6, 6);
      if (n === 1000) data.set([-100, -30, -10, -1e-4, -1e-30, 0, 1e-30, 1e-4, 10, 30, 100, 0.625, -0.625, -0.5, 0.5]);
      const x = tensor(data, n === 21 ? [3, 7] : [n]);
      for (const [kind, o, refKind] of KINDS) {
        const what = `${kind} ${JSON.stringify(o)} n ${n}`;
        const rx = ref(data, x.shape);
        const y = activation(kind, x, o);
        const expected = refActivation(refKind, rx, o);
        expectWithin(await y.toArray(), expected.data, Array.from(data, (v, i) => forwardUlps(refKind, v) * U * Math.abs(expected.data[i]!) + FLT_MIN), what);
        const dy = rng.uniform(n);
        const dx = activationBackward(kind, tensor(dy, x.shape), ACTIVATION_BACKWARD_INPUT[kind] === 'y' ? y : x, o);
        const bound = Array.from(data, (v, i) => backwardBound(refKind, v, dy[i]!, o) + FLT_MIN);
        expectWithin(await dx.toArray(), refActivationBackward(refKind, ref(dy, x.shape), rx, o).data, bound, `${what} backward`);
      }
    }
  });

  it('the named wrappers are the activation kinds with their PyTorch defaults', async () => {
    const data = Float32Array.of(-2, -0.5, 0.5, 2);
    const x = tensor(data);
    expectEqual(await leakyRelu(x).toArray(), await activation('leakyRelu', x, { slope: 0.01 }).toArray());
    expectEqual(await elu(x).toArray(), await activation('elu', x, { alpha: 1 }).toArray());
    expectEqual(await gelu(x).toArray(), await activation('gelu', x, { approximate: 'none' }).toArray());
    expectEqual(await gelu(x, 'tanh').toArray(), await activation('gelu', x, { approximate: 'tanh' }).toArray());
    // ReLU's gradient at 0 is 0, as in PyTorch.
    expectEqual(await activationBackward('relu', tensor([1, 1]), tensor([0, 3])).toArray(), [0, 1]);
  });
});

/** Per element error bounds of the row ops; L = row length, every sum's worst case (L − 1)·u (Higham). */
function rowBounds(len: number, y: Float64Array, dy: Float32Array, log: boolean): { forward: number[]; backward: number[] } {
  // Softmax: exp(x − m) with |x − m| ≤ 8 (inputs in [−4, 4]): 19 ulp; the sum (L − 1)u; the division 2.5.
  const softRel = (len + 22) * U;
  // Log-softmax: the sum's relative error is an absolute error of log s, plus log's 3 ulp and two subtractions.
  const logAbs = (len + 4) * U;
  const forward = Array.from(y, (v) => (log ? logAbs + 3 * U * Math.abs(v) : softRel * v));
  // dx = y(dy − Σdy·y): the dot's error (≤ softRel + L·u since Σ|dy|y ≤ 1), y's error, two roundings.
  if (!log) return { forward, backward: Array.from(y, (v) => v * (3 * softRel + len * U + 4 * U)) };
  // dx = dy − e^y·S: e^y inherits y's absolute error (plus exp's 3 + 2|y| ulp); S = Σdy has error (L − 1)u·Σ|dy|.
  const rowSum = (i: number, f: (v: number) => number) => dy.subarray(i - (i % len), i - (i % len) + len).reduce((a, b) => a + f(b), 0);
  const backward = Array.from(y, (v, i) => {
    const sum = Math.abs(rowSum(i, (b) => b)), sumAbs = rowSum(i, Math.abs), p = Math.exp(v);
    return p * sum * (logAbs + (4 + 2 * Math.abs(v)) * U) + p * len * U * sumAbs + 2 * U * (Math.abs(dy[i]!) + p * sum);
  });
  return { forward, backward };
}

describe('softmax and log-softmax', () => {
  it('match the reference for rows of length 1, 10, 255 and 256 (both kernels) and 1000, forward and backward', async () => {
    const rng = new Rng();
    for (const [rows, len] of [[5, 1], [3, 10], [1, 10], [2, 255], [3, 256], [2, 1000]] as const) {
      const data = rng.uniform(rows * len, -4, 4);
      const x = tensor(data, [rows, len]);
      for (const log of [false, true]) {
        const what = `${log ? 'logSoftmax' : 'softmax'} [${rows}, ${len}]`;
        const y = log ? logSoftmax(x) : softmax(x);
        const expected = (log ? refLogSoftmax : refSoftmax)(ref(data, [rows, len]));
        const dy = rng.uniform(rows * len);
        const bounds = rowBounds(len, expected.data, dy, log);
        expectWithin(await y.toArray(), expected.data, bounds.forward, what);
        const dx = (log ? logSoftmaxBackward : softmaxBackward)(tensor(dy, [rows, len]), y);
        const expectedDx = (log ? refLogSoftmaxBackward : refSoftmaxBackward)(ref(dy, [rows, len]), expected);
        expectWithin(await dx.toArray(), expectedDx.data, bounds.backward.map((b) => b + FLT_MIN), `${what} backward`);
      }
    }
  });

  it('is stable for large inputs: a constant shift leaves softmax unchanged', async () => {
    const data = Float32Array.of(1000, 1001, 1002, -1000, -1001, -1002);
    const y = await softmax(tensor(data, [2, 3])).toArray();
    // Differences are exact in f32 here, so the bound is the softmax one for L = 3.
    expectClose(y, [...refSoftmax(ref([0, 1, 2], [1, 3])).data, ...refSoftmax(ref([2, 1, 0], [1, 3])).data], { rtol: 25 * U }, 'shifted softmax');
    expect(Array.from(await logSoftmax(tensor(data, [2, 3])).toArray()).every(Number.isFinite)).toBe(true);
  });
});

describe('maxout', () => {
  it('forward and backward equal the reference exactly for k = 1 to 5, odd batches, ties routed to the first', async () => {
    const rng = new Rng();
    const cases: [number[], number][] = [[[1, 6], 1], [[3, 12], 2], [[7, 15], 3], [[2, 5, 8], 4], [[1, 3, 20], 5]];
    for (const [shape, k] of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      // Small integers make ties frequent.
      const data = Float32Array.from(rng.int(n, -3, 3));
      const x = tensor(data, shape);
      const y = maxout(x, k);
      const expected = refMaxout(ref(data, shape), k);
      expect(y.shape).toEqual(expected.shape);
      expectEqual(await y.toArray(), expected.data, `maxout [${shape}] k ${k}`);
      const dy = rng.uniform(y.size);
      // Routing only: exact.
      expectEqual(await maxoutBackward(tensor(dy, y.shape), x, k).toArray(), refMaxoutBackward(ref(dy, y.shape), ref(data, shape), k).data, `maxoutBackward [${shape}] k ${k}`);
    }
  });
});
