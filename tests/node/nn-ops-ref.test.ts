import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/device.js';
import type { DType } from '../../src/dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../../src/errors.js';
import {
  activation, activationBackward, logSoftmax, maxout, maxoutBackward, softmax, softmaxBackward, type ActivationKind,
} from '../../src/ops/activation.js';
import { dropout, dropoutBackward } from '../../src/ops/dropout.js';
import { avgPool2d, globalAvgPool2dBackward, maxPool2d, maxPool2dBackward, poolGeometry } from '../../src/ops/pool.js';
import {
  refActivation, refActivationBackward, refErf, refErfc, refLogSoftmax, refLogSoftmaxBackward, refMaxout,
  refMaxoutBackward, refSoftmax, refSoftmaxBackward, type RefActivationKind,
} from '../../src/reference/activation.js';
import { refDropout, refDropoutBackward, refDropoutMask } from '../../src/reference/dropout.js';
import { philox4x32_10 } from '../../src/reference/philox.js';
import {
  refAvgPool2d, refAvgPool2dBackward, refGlobalAvgPool2d, refGlobalAvgPool2dBackward, refMaxPool2d, refMaxPool2dBackward,
  type RefPool2dOptions,
} from '../../src/reference/pool.js';
import { ref, type RefTensor } from '../../src/reference/ref-tensor.js';
import { Storage, Tensor } from '../../src/tensor.js';
import { expectClose, expectEqual } from '../helpers/compare.js';
import { Rng } from '../helpers/random.js';

const iota = (n: number, scale = 1) => Array.from({ length: n }, (_, i) => i * scale);
const size = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

/** Distinct values spaced 0.01 apart in random order: no ties or kinks within a finite-difference step. */
function distinct(rng: Rng, shape: number[]): RefTensor {
  const v = iota(size(shape), 0.01).map((x) => x - 0.005 * size(shape));
  for (let i = v.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return ref(v, shape);
}

/** Uniform in ±[0.05, 3]: away from the kink at 0 of ReLU, LeakyReLU and ELU. */
function awayFromZero(rng: Rng, shape: number[]): RefTensor {
  return ref(Array.from(rng.uniform(size(shape))).map((u) => Math.sign(u || 1) * (0.05 + 3 * Math.abs(u))), shape);
}

/**
 * Gradient check: d/dx Σ w·f(x) by central differences in float64 (h = 1e-6; truncation O(h²) and roundoff
 * O(ε/h), both far below the bound) against the analytic backward applied to dy = w. Bound, per element:
 * |analytic − numeric| ≤ 1e-6·(|numeric| + max|numeric|), a relative error of 1e-6 at the gradient's scale.
 */
function gradCheck(f: (x: RefTensor) => RefTensor, x: RefTensor, backward: (dy: RefTensor) => RefTensor, rng: Rng, what: string): void {
  const y = f(x);
  const w = ref(rng.uniform(y.data.length, -1, 1), y.shape);
  const loss = (data: Float64Array) => f({ shape: x.shape, data }).data.reduce((s, v, i) => s + v * w.data[i]!, 0);
  const h = 1e-6;
  const numeric = x.data.map((_, i) => {
    const plus = x.data.slice(), minus = x.data.slice();
    plus[i]! += h;
    minus[i]! -= h;
    return (loss(plus) - loss(minus)) / (2 * h);
  });
  const scale = numeric.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expect(scale, `${what}: the check needs a non-zero gradient`).toBeGreaterThan(0);
  expectClose(backward(w).data, numeric, { rtol: 1e-6, atol: 1e-6 * scale }, `${what}: gradient vs central differences`);
}

describe('pooling reference', () => {
  const x44 = ref(iota(16), [1, 1, 4, 4]);

  it('max pooling: values, flat argmax indices, padding that never wins, first index on ties, NaN wins', () => {
    const a = refMaxPool2d(x44, { kernelSize: [2, 2] });
    expect(a.y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(a.y.data)).toEqual([5, 7, 13, 15]);
    expect(Array.from(a.indices.data)).toEqual([5, 7, 13, 15]);
    // −x: the maximum is each window's top-left in-image element, never the (−∞) padding.
    const b = refMaxPool2d(ref(iota(16, -1), [1, 1, 4, 4]), { kernelSize: [3, 3], stride: [2, 2], padding: [1, 1] });
    expect(Array.from(b.y.data)).toEqual([-0, -1, -4, -5]);
    expect(Array.from(b.indices.data)).toEqual([0, 1, 4, 5]);
    expect(Array.from(refMaxPool2d(ref([2, 2, 2, 2], [1, 1, 2, 2]), { kernelSize: [2, 2] }).indices.data)).toEqual([0]);
    const nan = refMaxPool2d(ref([1, NaN, 3, 2], [1, 1, 2, 2]), { kernelSize: [2, 2] });
    expect(Number.isNaN(nan.y.data[0])).toBe(true);
    expect(nan.indices.data[0]).toBe(1);
  });

  it('max pooling backward sums dy over overlapping windows with the same argmax', () => {
    // 3×3 with its maximum in the centre: all four 2×2 windows (stride 1) pick it.
    const x = ref([0, 1, 2, 3, 9, 4, 5, 6, 7], [1, 1, 3, 3]);
    const { indices } = refMaxPool2d(x, { kernelSize: [2, 2], stride: [1, 1] });
    const dx = refMaxPool2dBackward(ref([1, 2, 3, 4], [1, 1, 2, 2]), indices, x.shape);
    expect(Array.from(dx.data)).toEqual([0, 0, 0, 0, 10, 0, 0, 0, 0]);
  });

  it('average pooling divides by k·k with count_include_pad, by the in-image count without', () => {
    const opts: RefPool2dOptions = { kernelSize: [3, 3], stride: [2, 2], padding: [1, 1] };
    // In-image parts: window (0, 0) rows/cols 0..1 (0 + 1 + 4 + 5), (0, 1) rows 0..1 × cols 1..3 (24),
    // (1, 0) rows 1..3 × cols 0..1 (51), (1, 1) rows/cols 1..3 (90).
    expect(Array.from(refAvgPool2d(x44, opts).data)).toEqual([10 / 9, 24 / 9, 51 / 9, 90 / 9]);
    expect(Array.from(refAvgPool2d(x44, { ...opts, countIncludePad: false }).data)).toEqual([10 / 4, 24 / 6, 51 / 6, 90 / 9]);
    // Non-square kernel and stride: [3, 5] → floor((3 − 2)/1) + 1 = 2 rows, floor((5 − 3)/2) + 1 = 2 columns.
    const y = refAvgPool2d(ref(iota(15), [1, 1, 3, 5]), { kernelSize: [2, 3], stride: [1, 2] });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([(0 + 1 + 2 + 5 + 6 + 7) / 6, (2 + 3 + 4 + 7 + 8 + 9) / 6, (5 + 6 + 7 + 10 + 11 + 12) / 6, (7 + 8 + 9 + 12 + 13 + 14) / 6]);
  });

  it('global average pooling is the mean of each plane; its backward spreads dy/(H·W)', () => {
    const x = ref(iota(12), [1, 2, 2, 3]);
    expect(refGlobalAvgPool2d(x).shape).toEqual([1, 2, 1, 1]);
    const y = refGlobalAvgPool2d(x, false);
    expect(y.shape).toEqual([1, 2]);
    expect(Array.from(y.data)).toEqual([2.5, 8.5]);
    expect(Array.from(refGlobalAvgPool2dBackward(ref([6, 12], [1, 2]), x.shape).data)).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
  });

  it('every pooling backward matches central differences (stride 1 and 2, padding 0 to 2, non-square kernels)', () => {
    const rng = new Rng();
    const shape = [2, 3, 5, 7];
    const cases: RefPool2dOptions[] = [
      { kernelSize: [2, 3], stride: [2, 1], padding: [1, 1] },
      { kernelSize: [3, 3], stride: [2, 2], padding: [1, 1] },
      { kernelSize: [5, 5], stride: [1, 2], padding: [2, 2] },
      { kernelSize: [2, 2] },
    ];
    for (const opts of cases) {
      const what = JSON.stringify(opts);
      const x = distinct(rng, shape);
      const { indices } = refMaxPool2d(x, opts);
      gradCheck((v) => refMaxPool2d(v, opts).y, x, (dy) => refMaxPool2dBackward(dy, indices, shape), rng, `maxPool2d ${what}`);
      for (const countIncludePad of [true, false]) {
        const o = { ...opts, countIncludePad };
        gradCheck((v) => refAvgPool2d(v, o), x, (dy) => refAvgPool2dBackward(dy, shape, o), rng, `avgPool2d ${JSON.stringify(o)}`);
      }
    }
    const x = distinct(rng, shape);
    gradCheck((v) => refGlobalAvgPool2d(v, false), x, (dy) => refGlobalAvgPool2dBackward(dy, shape), rng, 'globalAvgPool2d');
  });
});

describe('dropout reference', () => {
  const opts = { p: 0.5, seed: 2 ** 40 + 12345, step: 7 };

  it('keeps element i when word i mod 4 of Philox(⌊i/4⌋, step, 0, tag; seed) is ≥ p·2³²', () => {
    const mask = refDropoutMask(8, opts);
    const key = [opts.seed >>> 0, Math.floor(opts.seed / 2 ** 32)];
    // p = 0.5: the threshold is 2³¹, so the top bit decides.
    const expected = [0, 1].flatMap((t) => philox4x32_10([t, opts.step, 0, 0x44524f50], key).map((b) => b >>> 31));
    expect(Array.from(mask)).toEqual(expected);
  });

  it('scales kept values by 1/(1 − p), zeros the rest, and repeats for the same seed and step only', () => {
    const n = 1000;
    const x = ref(iota(n, 1).map((i) => i + 1), [n]);
    const y = refDropout(x, opts);
    const mask = refDropoutMask(n, opts);
    expect(Array.from(y.data)).toEqual(Array.from(x.data, (v, i) => (mask[i] ? v * 2 : 0)));
    expect(Array.from(refDropoutMask(n, opts))).toEqual(Array.from(mask));
    const other = refDropoutMask(n, { ...opts, step: 8 });
    expect(other.filter((m, i) => m !== mask[i]).length).toBeGreaterThan(n / 4);
  });

  it('p = 0 keeps everything, p = 1 multiplies by 0 (NaN stays NaN, like PyTorch)', () => {
    expect(refDropoutMask(100, { ...opts, p: 0 }).every((m) => m === 1)).toBe(true);
    expect(Array.from(refDropout(ref([1, -2, NaN], [3]), { ...opts, p: 1 }).data)).toEqual([0, -0, NaN]);
  });

  it('drops a fraction within 5 standard errors of p', () => {
    const n = 200_000;
    for (const p of [0.1, 0.5, 0.9]) {
      const dropped = refDropoutMask(n, { ...opts, p }).reduce((s, m) => s + 1 - m, 0);
      expect(Math.abs(dropped / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it('backward matches central differences', () => {
    const rng = new Rng();
    const o = { p: 0.3, seed: 99, step: 3 };
    gradCheck((v) => refDropout(v, o), ref(rng.uniform(50), [5, 10]), (dy) => refDropoutBackward(dy, o), rng, 'dropout');
  });
});

describe('activation reference', () => {
  const value = (kind: RefActivationKind, x: number, o = {}) => refActivation(kind, ref([x], [1]), o).data[0]!;
  const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(4e-16 * Math.max(Math.abs(b), 1e-300));

  it('erf and erfc agree with tabulated values (float64: relative 4e-16)', () => {
    close(refErf(0.5), 0.5204998778130465);
    close(refErf(1), 0.8427007929497149);
    close(refErf(-1), -0.8427007929497149);
    close(refErf(2), 0.9953222650189527);
    close(refErfc(0), 1);
    close(refErfc(3), 2.209049699858544e-5);
    close(refErfc(5), 1.5374597944280349e-12);
    // Continuity where the series hands over to the continued fraction (slope 2/√π·e⁻⁹ ≈ 1.4e-4).
    expect(Math.abs(refErf(3 - 1e-12) - refErf(3))).toBeLessThan(1e-15);
  });

  it('pointwise activations at hand-computed points (relative 4e-16)', () => {
    close(value('sigmoid', 0), 0.5);
    close(value('sigmoid', 2), 1 / (1 + Math.exp(-2)));
    close(value('tanh', 0.5), 0.46211715726000974);
    expect([value('relu', -1), value('relu', 2)]).toEqual([0, 2]);
    expect([value('leakyRelu', -2), value('leakyRelu', -2, { slope: 0.1 }), value('leakyRelu', 3)]).toEqual([-0.02, -0.2, 3]);
    close(value('elu', -1), Math.exp(-1) - 1);
    close(value('elu', -1, { alpha: 2 }), 2 * (Math.exp(-1) - 1));
    // GELU(±1) = ±Φ(±1), Φ(1) = 0.8413447460685429.
    close(value('gelu', 1), 0.8413447460685429);
    close(value('gelu', -1), -(1 - 0.8413447460685429));
    // The textbook tanh form, which the reference writes as x·σ(2u).
    close(value('geluTanh', 1), 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (1 + 0.044715))));
    // Far tails keep their relative accuracy: GELU(−10) = −10·Φ(−10), Φ(−10) = 7.619853024160527e-24, up to
    // the rounding of z² = 50 inside e^{−z²} (relative 50·ε ≈ 1e-14).
    expect(Math.abs(value('gelu', -10) / (-10 * 7.619853024160527e-24) - 1)).toBeLessThan(2e-14);
  });

  it('softmax and log-softmax along the last axis, stable for large inputs, rows of length 1', () => {
    const s = [0.09003057317038046, 0.24472847105479767, 0.6652409557748219];
    for (const shift of [0, 1000]) {
      const y = refSoftmax(ref([1, 2, 3].map((v) => v + shift), [1, 3]));
      y.data.forEach((v, i) => close(v, s[i]!));
      refLogSoftmax(ref([1, 2, 3].map((v) => v + shift), [1, 3])).data.forEach((v, i) => close(v, Math.log(s[i]!)));
    }
    expect(Array.from(refSoftmax(ref([5, -7], [2, 1])).data)).toEqual([1, 1]);
    expect(Array.from(refLogSoftmax(ref([5, -7], [2, 1])).data)).toEqual([0, 0]);
  });

  it('maxout takes the max of each group of k consecutive features and routes the gradient to the first argmax', () => {
    const x = ref([1, 5, 3, 2, 4, 4, 0, -1], [2, 4]);
    const y = refMaxout(x, 2);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([5, 3, 4, 0]);
    expect(Array.from(refMaxoutBackward(ref([10, 20, 30, 40], [2, 2]), x, 2).data)).toEqual([0, 10, 20, 0, 30, 0, 40, 0]);
    expect(Array.from(refMaxout(ref([1, NaN, 3], [3]), 3).data)).toEqual([NaN]);
  });

  it('every activation backward matches central differences', () => {
    const rng = new Rng();
    const shape = [4, 9];
    const kinds: [RefActivationKind, object][] = [
      ['sigmoid', {}], ['tanh', {}], ['relu', {}], ['leakyRelu', {}], ['leakyRelu', { slope: 0.1 }], ['elu', {}],
      ['elu', { alpha: 0.5 }], ['gelu', {}], ['geluTanh', {}],
    ];
    for (const [kind, o] of kinds) {
      const x = awayFromZero(rng, shape);
      gradCheck((v) => refActivation(kind, v, o), x, (dy) => refActivationBackward(kind, dy, x, o), rng, `${kind} ${JSON.stringify(o)}`);
    }
    for (const len of [1, 10]) {
      const x = ref(rng.uniform(3 * len, -3, 3), [3, len]);
      if (len > 1) {
        gradCheck(refSoftmax, x, (dy) => refSoftmaxBackward(dy, refSoftmax(x)), rng, `softmax len ${len}`);
        gradCheck(refLogSoftmax, x, (dy) => refLogSoftmaxBackward(dy, refLogSoftmax(x)), rng, `logSoftmax len ${len}`);
      } else {
        // Softmax of one element is constantly 1: the gradient is exactly 0.
        expectEqual(refSoftmaxBackward(ref([2, 3, 4], [3, 1]), refSoftmax(x)).data, [0, 0, 0], 'softmax len 1');
      }
    }
    const x = distinct(rng, [3, 12]);
    for (const k of [1, 2, 3, 4]) gradCheck((v) => refMaxout(v, k), x, (dy) => refMaxoutBackward(dy, x, k), rng, `maxout k ${k}`);
  });
});

describe('argument errors, before any GPU work', () => {
  // A runtime with no GPU: any dispatch or allocation would throw a TypeError, not the error expected here.
  const fakeRt = { scopes: [] } as unknown as Runtime;
  const fake = (shape: number[], dtype: DType = 'f32') => new Tensor(new Storage(fakeRt, {} as GPUBuffer, 4), shape, dtype);

  it('pooling: output size, 4-D input, kernel within the padded input, padding ≤ kernel/2, positive sizes, dtypes', () => {
    const g = poolGeometry('t', [3, 7, 7, 10], { kernelSize: 3, stride: 2, padding: 1 });
    expect([g.oh, g.ow]).toEqual([4, 5]);
    expect(poolGeometry('t', [1, 1, 7, 10], { kernelSize: [2, 3] })).toMatchObject({ oh: 3, ow: 3, sh: 2, sw: 3 });
    expect(() => maxPool2d(fake([3, 4, 4]), { kernelSize: 2 })).toThrow(ShapeError);
    expect(() => maxPool2d(fake([1, 1, 2, 5]), { kernelSize: 3 })).toThrow(/^maxPool2d: kernel \[3, 3\] is larger than the padded input/);
    expect(() => avgPool2d(fake([1, 1, 4, 4]), { kernelSize: 3, padding: 2 })).toThrow(/at most half the kernel/);
    expect(() => avgPool2d(fake([1, 1, 4, 4]), { kernelSize: 2, stride: 0 })).toThrow(ArgumentError);
    expect(() => avgPool2d(fake([1, 1, 4, 4]), { kernelSize: [2, 2, 2] as unknown as number })).toThrow(/kernelSize must be/);
    expect(() => maxPool2d(fake([1, 1, 4, 4], 'i32'), { kernelSize: 2 })).toThrow(DTypeError);
    expect(() => maxPool2d(fake([1, 0, 4, 4]), { kernelSize: 2 })).toThrow(ShapeError);
    expect(() => maxPool2dBackward(fake([1, 1, 3, 3]), fake([1, 1, 3, 3], 'i32'), [1, 1, 4, 4], { kernelSize: 2 })).toThrow(/dy must have the forward's output shape \[1, 1, 2, 2\]/);
    expect(() => maxPool2dBackward(fake([1, 1, 2, 2]), fake([1, 1, 2, 2], 'f32'), [1, 1, 4, 4], { kernelSize: 2 })).toThrow(/indices must be i32/);
    expect(() => globalAvgPool2dBackward(fake([2, 3]), [2, 4, 5, 5])).toThrow(ShapeError);
  });

  it('dropout: p in [0, 1], a non-negative integer seed and a 32-bit step', () => {
    for (const p of [-0.1, 1.5, NaN]) expect(() => dropout(fake([4]), { p, seed: 1, step: 0 })).toThrow(/^dropout: p must be a probability/);
    expect(() => dropout(fake([4]), { seed: -1, step: 0 })).toThrow(/seed/);
    expect(() => dropoutBackward(fake([4]), { seed: 1, step: 2 ** 32 })).toThrow(/^dropoutBackward: step/);
    expect(() => dropout(fake([4], 'i32'), { seed: 1, step: 0 })).toThrow(DTypeError);
  });

  it('activations: known kinds, finite parameters, matching shapes, a last axis to work along, k dividing it', () => {
    expect(() => activation('swish' as ActivationKind, fake([4]))).toThrow(/unknown activation 'swish'/);
    expect(() => activation('leakyRelu', fake([4]), { slope: NaN })).toThrow(/slope must be a finite number/);
    expect(() => activation('gelu', fake([4]), { approximate: 'erf' as 'none' })).toThrow(/approximate/);
    expect(() => activationBackward('sigmoid', fake([4]), fake([5]))).toThrow(/^sigmoidBackward: dy and y must have the same shape/);
    expect(() => softmax(fake([]))).toThrow(ShapeError);
    expect(() => logSoftmax(fake([3], 'u32'))).toThrow(DTypeError);
    expect(() => softmaxBackward(fake([2, 3]), fake([3, 2]))).toThrow(ShapeError);
    expect(() => maxout(fake([2, 7]), 2)).toThrow(/k·m features/);
    expect(() => maxout(fake([2, 8]), 0)).toThrow(ArgumentError);
    expect(() => maxoutBackward(fake([2, 3]), fake([2, 8]), 2)).toThrow(/output shape \[2, 4\]/);
  });
});
