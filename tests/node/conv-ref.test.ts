import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError } from '../../src/errors.js';
import { dwSamplesPerPartial, planConv2d, planConv2dBackward, type Conv2dGeometryOptions } from '../../src/ops/conv.js';
import { conv2dBackwardRef, conv2dRef } from '../../src/reference/conv.js';
import { ref, type RefTensor } from '../../src/reference/ref-tensor.js';
import { sizeOf } from '../../src/shape.js';
import { Rng, TEST_SEED } from '../helpers/random.js';
import { centralDifferences } from '../helpers/finite-diff.js';

const iota = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);
const values = (t: RefTensor) => Array.from(t.data);
/** x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]] as [1, 1, 3, 3]. */
const x9 = ref(iota(9), [1, 1, 3, 3]);
const f32 = (shape: number[]) => ({ shape, dtype: 'f32' as const });

describe('conv2d reference, hand-computed', () => {
  it('a 2×2 kernel over a 3×3 image, with bias and relu', () => {
    const w = ref([1, 2, 3, 4], [1, 1, 2, 2]);
    // Window at (0, 0): 1·1 + 2·2 + 4·3 + 5·4 = 37; each step right adds 1+2+3+4 = 10, each step down 30.
    expect(values(conv2dRef(x9, w))).toEqual([37, 47, 67, 77]);
    expect(conv2dRef(x9, w).shape).toEqual([1, 1, 2, 2]);
    expect(values(conv2dRef(x9, w, { bias: ref([-50], [1]) }))).toEqual([-13, -3, 17, 27]);
    expect(values(conv2dRef(x9, w, { bias: ref([-50], [1]), activation: 'relu' }))).toEqual([0, 0, 17, 27]);
  });

  it('padding 1 with stride 2 sums the clipped 3×3 neighbourhoods of the corners', () => {
    const w = ref(new Array(9).fill(1), [1, 1, 3, 3]);
    // (3 + 2 − 2 − 1)/2 + 1 = 2 outputs per side, centred on (0, 0), (0, 2), (2, 0), (2, 2).
    expect(values(conv2dRef(x9, w, { padding: 1, stride: 2 }))).toEqual([1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9]);
  });

  it('dilation 2 spreads a 2×2 kernel over the corners', () => {
    expect(values(conv2dRef(x9, ref([1, 2, 3, 4], [1, 1, 2, 2]), { dilation: 2 }))).toEqual([1 * 1 + 3 * 2 + 7 * 3 + 9 * 4]);
  });

  it('a non-square 1×2 kernel over a non-square image, with [h, w] stride and padding', () => {
    const x = ref(iota(6), [1, 1, 2, 3]);
    const w = ref([1, 1], [1, 1, 1, 2]);
    expect(values(conv2dRef(x, w))).toEqual([3, 5, 9, 11]);
    // Padded rows [0, 1, 2, 3, 0] and [0, 4, 5, 6, 0], windows at columns 0 and 2.
    expect(values(conv2dRef(x, w, { padding: [0, 1], stride: [1, 2] }))).toEqual([1, 5, 4, 11]);
  });

  it('groups keep channels apart; depthwise with a channel multiplier', () => {
    const x = ref([3, 5], [1, 2, 1, 1]);
    expect(values(conv2dRef(x, ref([2, 10], [2, 1, 1, 1]), { groups: 2 }))).toEqual([6, 50]);
    expect(values(conv2dRef(x, ref([2, 10], [1, 2, 1, 1])))).toEqual([56]);
    // Output channels 0, 1 read channel 0; 2, 3 read channel 1.
    expect(values(conv2dRef(x, ref([1, 2, 3, 4], [4, 1, 1, 1]), { groups: 2 }))).toEqual([3, 6, 15, 20]);
  });

  it('backward of the 2×2 case with dy = 1: dx counts the windows per tap, dw sums the windows, db the outputs', () => {
    const w = ref([1, 2, 3, 4], [1, 1, 2, 2]);
    const g = conv2dBackwardRef(ref([1, 1, 1, 1], [1, 1, 2, 2]), x9, w);
    expect(values(g.dx)).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
    expect(values(g.dw)).toEqual([12, 16, 24, 28]);
    expect(values(g.db)).toEqual([4]);
  });
});

describe('conv2d geometry and validation', () => {
  it('gives PyTorch output sizes floor((H + 2p − d(k − 1) − 1)/s) + 1', () => {
    const out = (x: number[], w: number[], o: Conv2dGeometryOptions) => {
      const g = planConv2d('conv2d', f32(x), f32(w), o);
      return [g.outHeight, g.outWidth];
    };
    expect(out([2, 3, 7, 10], [4, 3, 3, 5], { padding: [1, 2], stride: 2 })).toEqual([4, 5]);
    expect(out([1, 1, 10, 10], [1, 1, 5, 5], { padding: 2, dilation: 2 })).toEqual([6, 6]);
    expect(out([1, 1, 5, 3], [1, 1, 3, 3], { stride: 3 })).toEqual([1, 1]);
    expect(out([1, 2, 1, 1], [2, 1, 1, 1], { groups: 2 })).toEqual([1, 1]);
  });

  it('throws typed errors that name the op, shapes and rule', () => {
    const plan = (x: number[], w: number[], o: Conv2dGeometryOptions & { bias?: { shape: number[]; dtype: 'f32' } } = {}) => () => planConv2d('conv2d', f32(x), f32(w), o);
    expect(plan([3, 7, 7], [1, 3, 3, 3])).toThrow(ShapeError);
    expect(plan([3, 7, 7], [1, 3, 3, 3])).toThrow(/conv2d: x must be 4-D/);
    expect(plan([1, 4, 5, 5], [2, 3, 3, 3])).toThrow(/C_in\/groups \(3\) × groups \(1\) must equal x's channels \(4\).*\[1, 4, 5, 5\], \[2, 3, 3, 3\]/);
    expect(plan([1, 4, 5, 5], [3, 2, 3, 3], { groups: 2 })).toThrow(/groups \(2\) must divide both C_in \(4\) and C_out \(3\)/);
    expect(plan([1, 1, 2, 5], [1, 1, 3, 3])).toThrow(/output would be 0×3/);
    expect(plan([1, 1, 5, 5], [1, 1, 3, 3], { dilation: 3 })).toThrow(ShapeError);
    expect(plan([1, 1, 5, 5], [2, 1, 3, 3], { bias: f32([1]) })).toThrow(/bias must have shape \[C_out\] = \[2\]/);
    expect(plan([1, 1, 5, 5], [1, 1, 3, 3], { stride: 0 })).toThrow(ArgumentError);
    expect(plan([1, 1, 5, 5], [1, 1, 3, 3], { padding: [1, -1] })).toThrow(/padding must be an integer ≥ 0/);
    expect(plan([1, 1, 5, 5], [1, 1, 3, 3], { groups: 1.5 })).toThrow(/groups must be a positive integer/);
    expect(plan([1, 1, 5, 5], [1, 1, 3, 3], { maxIm2colBytes: 0 })).toThrow(/maxIm2colBytes/);
    expect(() => planConv2d('conv2d', { shape: [1, 1, 5, 5], dtype: 'i32' }, f32([1, 1, 3, 3]))).toThrow(DTypeError);
    expect(() => planConv2dBackward(f32([1, 1, 4, 4]), f32([1, 1, 5, 5]), f32([1, 1, 3, 3]))).toThrow(/conv2dBackward: dy must have .* \[1, 1, 3, 3\]/);
    expect(() => conv2dRef(x9, ref([1], [1, 1, 1, 1]), { activation: 'swish' as never })).toThrow(/conv2d: unknown activation 'swish'/);
    expect(() => conv2dRef(x9, ref([1], [1, 1, 1, 1]), { activation: 'relu', alpha: 0.1 })).toThrow(/conv2d: alpha applies to activation 'elu' only/);
  });
});

describe('conv2d reference backward, finite differences', () => {
  const rng = new Rng();
  const random = (shape: number[]) => ref(rng.normal(sizeOf(shape)), shape);

  /**
   * L = Σ R ⊙ conv2d(x, w, b) is affine in each single input, so the central difference (L(v + h) − L(v − h))/2h
   * is its exact partial derivative up to float64 rounding: about 1e-16·Σ|terms of L|/h ≈ 1e-11 here, far
   * below the tolerance, while a wrong or missing tap moves a gradient by the size of a term (≈ 1).
   */
  const cases: [number[], number[], Conv2dGeometryOptions][] = [
    [[2, 3, 5, 6], [4, 3, 3, 3], { padding: 1 }],
    [[1, 2, 7, 6], [2, 2, 2, 3], { stride: 2, padding: [1, 2] }],
    [[2, 4, 6, 5], [6, 2, 3, 2], { groups: 2, dilation: 2, padding: 1 }],
    [[1, 3, 5, 5], [3, 1, 3, 3], { groups: 3, stride: [2, 1] }],
  ];
  it.each(cases)('x %j, w %j, %j', (xs, ws, geometry) => {
    const x = random(xs), w = random(ws), b = random([ws[0]!]);
    const r = conv2dRef(x, w, { ...geometry, bias: b });
    const R = random([...r.shape]);
    const loss = () => conv2dRef(x, w, { ...geometry, bias: b }).data.reduce((s, v, i) => s + v * R.data[i]!, 0);
    const grads = conv2dBackwardRef(R, x, w, geometry);
    for (const [name, t, grad] of [['x', x, grads.dx], ['w', w, grads.dw], ['b', b, grads.db]] as const) {
      expect(grad.shape).toEqual(t.shape);
      const fd = centralDifferences(loss, t.data, 1e-3);
      fd.forEach((d, i) => {
        if (!(Math.abs(d - grad.data[i]!) <= 1e-8 * (1 + Math.abs(d)))) {
          throw new Error(`d${name}[${i}] = ${grad.data[i]}, finite difference ${d} (TEST_SEED=${TEST_SEED})`);
        }
      });
    }
  });
});

describe('dwSamplesPerPartial (split-K of the weight gradient over samples)', () => {
  it('sums more samples per partial the more workgroups one partial already has', () => {
    // Small VGG at batch 128: 256→256 at 8×8 has 36 tiles of 128×128 per product (15 partials of 9 samples);
    // 64→64 at 32×32 has 9 tiles of 64×64 (43 partials of 3); LeNet's conv1 (6×25) one tile: one sample each.
    expect(dwSamplesPerPartial(128, 1, 256, 2304, 256 * 2304)).toBe(9);
    expect(dwSamplesPerPartial(128, 1, 64, 576, 64 * 576)).toBe(3);
    expect(dwSamplesPerPartial(64, 1, 6, 25, 150)).toBe(1);
    // One sample: one partial.
    expect(dwSamplesPerPartial(1, 1, 256, 2304, 256 * 2304)).toBe(1);
    // The partials' memory cap (64 MiB) wins over the workgroup target for huge weights: 16M floats, 1 partial.
    expect(dwSamplesPerPartial(8, 1, 4096, 4096, 4096 * 4096)).toBe(8);
  });
});
