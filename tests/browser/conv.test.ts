import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, init, ShapeError, tensor, type Activation, type Runtime } from '../../src/index.js';
import { conv2d, conv2dBackward, planConv2d, type Conv2dGeometryOptions } from '../../src/ops/conv.js';
import { conv2dBackwardErrorScale, conv2dBackwardRef, conv2dErrorScale, conv2dRef } from '../../src/reference/conv.js';
import { ref } from '../../src/reference/ref-tensor.js';
import { sizeOf } from '../../src/shape.js';
import { expectEqual } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng, TEST_SEED } from '../helpers/random.js';

let rt: Runtime;
const rng = new Rng();
beforeAll(async () => {
  rt = await testRuntime();
});

/*
 * Error bound. Inputs are f32 and the reference is float64 on the same values, so the difference is the
 * GPU's rounding alone. Every output is a sum of n products (forward: the (C_in/G)·kH·kW taps plus the
 * bias; dx: (C_out/G)·kH·kW; dw: N·H_out·W_out; db: N·H_out·W_out values), which in any order and any
 * grouping (the matmul's, col2im's partial sums, the chunked dw's reduction), with or without fma, is within
 * γ_n·S of the exact value, S = Σ|terms| from the reference, γ_n = n·u/(1 − n·u), u = 2⁻²⁴ (Higham,
 * Accuracy and Stability of Numerical Algorithms, §3.1). relu is exact and 1-Lipschitz, so it keeps the
 * bound. It is a worst case, so a correct kernel never fails it, yet a wrong, missing or repeated term
 * (S/n on average) passes it by a factor of at least 1/(n²u) > 100 for every n ≤ 400 used here.
 */
const U = 2 ** -24;

function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, scale: ArrayLike<number>, terms: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const gamma = (terms * U) / (1 - terms * U);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    if (!(err <= gamma * scale[i]!)) {
      throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (|err| ${err.toExponential(3)} > γ_${terms}·Σ|terms| = ${(gamma * scale[i]!).toExponential(3)}; TEST_SEED=${TEST_SEED})`);
    }
  }
}

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  geometry?: Conv2dGeometryOptions;
  bias?: boolean;
  activation?: Activation;
}

function describeCase(c: Case): string {
  return `conv2d x [${c.x}] w [${c.w}] ${JSON.stringify(c.geometry ?? {})}${c.bias ? ' bias' : ''}${c.activation ? ` ${c.activation}` : ''}`;
}

/** Fresh random inputs for a case, on the GPU and as float64 references. */
function inputs(c: Case) {
  const xd = rng.uniform(sizeOf(c.x)), wd = rng.uniform(sizeOf(c.w)), bd = c.bias ? rng.uniform(c.w[0]) : undefined;
  const g = planConv2d('conv2d', { shape: c.x, dtype: 'f32' }, { shape: c.w, dtype: 'f32' }, c.geometry);
  const outShape = [g.batch, g.outChannels, g.outHeight, g.outWidth];
  const dyd = rng.uniform(sizeOf(outShape));
  return {
    g,
    x: tensor(xd, c.x, 'f32', rt), w: tensor(wd, c.w, 'f32', rt), bias: bd && tensor(bd, [c.w[0]], 'f32', rt), dy: tensor(dyd, outShape, 'f32', rt),
    xr: ref(xd, c.x), wr: ref(wd, c.w), br: bd && ref(bd, [c.w[0]]), dyr: ref(dyd, outShape),
  };
}

/** Runs a case forward and backward and compares every element with the reference. */
async function check(c: Case): Promise<void> {
  const what = describeCase(c);
  const { g, x, w, bias, dy, xr, wr, br, dyr } = inputs(c);
  const y = conv2d(x, w, { ...c.geometry, bias, activation: c.activation });
  const refOpts = { ...c.geometry, bias: br, activation: c.activation };
  const e = conv2dRef(xr, wr, refOpts);
  expect(y.shape, what).toEqual(e.shape);
  expectWithin(await y.toArray(), e.data, conv2dErrorScale(xr, wr, refOpts).data, g.taps + 1, `${what}: y`);

  const grads = conv2dBackward(dy, x, w, c.geometry);
  const eg = conv2dBackwardRef(dyr, xr, wr, c.geometry), scale = conv2dBackwardErrorScale(dyr, xr, wr, c.geometry);
  const spatial = g.batch * g.outHeight * g.outWidth;
  expect(grads.dx!.shape).toEqual(c.x);
  expect(grads.dw!.shape).toEqual(c.w);
  expectWithin(await grads.dx!.toArray(), eg.dx.data, scale.dx.data, (g.outChannels / g.groups) * g.kh * g.kw, `${what}: dx`);
  expectWithin(await grads.dw!.toArray(), eg.dw.data, scale.dw.data, spatial, `${what}: dw`);
  expectWithin(await grads.db!.toArray(), eg.db.data, scale.db.data, spatial, `${what}: db`);
  for (const t of [x, w, bias, dy, y, grads.dx, grads.dw, grads.db]) t?.dispose();
}

const cases: Case[] = [
  { x: [1, 1, 5, 5], w: [1, 1, 3, 3], geometry: { padding: 1 } },
  { x: [3, 3, 7, 10], w: [7, 3, 3, 3], geometry: { stride: 2, padding: 1 }, bias: true, activation: 'relu' },
  { x: [3, 7, 6, 5], w: [16, 7, 1, 1], bias: true },
  { x: [3, 4, 5, 7], w: [6, 2, 1, 1], geometry: { groups: 2 } },
  { x: [2, 3, 5, 7], w: [4, 3, 1, 1], geometry: { stride: 2, padding: 1 } },
  { x: [1, 3, 9, 8], w: [4, 3, 5, 5], geometry: { padding: 2 } },
  { x: [3, 16, 7, 10], w: [3, 16, 2, 3], geometry: { stride: [2, 1], padding: [0, 1] }, bias: true },
  { x: [1, 3, 7, 10], w: [1, 3, 3, 3], geometry: { dilation: 2, padding: 2 } },
  { x: [3, 1, 7, 10], w: [7, 1, 5, 5], geometry: { stride: 2 }, activation: 'relu' },
];

describe('conv2d and conv2dBackward on the GPU vs the float64 reference', () => {
  it.each(cases.map((c) => [describeCase(c), c] as const))('%s', async (_, c) => {
    await check(c);
  });

  it('depthwise (C = 7, groups = 7), with bias and relu', async () => {
    await check({ x: [3, 7, 7, 10], w: [7, 1, 3, 3], geometry: { groups: 7, padding: 1 }, bias: true, activation: 'relu' });
  });

  it('depthwise with a channel multiplier (groups = C_in = 3, C_out = 6), stride 2', async () => {
    await check({ x: [2, 3, 7, 6], w: [6, 1, 3, 3], geometry: { groups: 3, stride: 2, padding: 1 }, bias: true });
  });

  it('general groups (C_in = 4, C_out = 6, groups = 2) with dilation', async () => {
    await check({ x: [2, 4, 7, 8], w: [6, 2, 3, 2], geometry: { groups: 2, dilation: [2, 1], padding: 1 } });
  });
});

describe('chunking by maxIm2colBytes', () => {
  it('gives the same bits for y, dx and db, and dw within the bound, at one and two samples per chunk', async () => {
    const c: Case = { x: [3, 3, 7, 10], w: [5, 3, 3, 3], geometry: { padding: 1, stride: [1, 2] }, bias: true, activation: 'relu' };
    const { g, x, w, bias, dy, xr, wr, dyr } = inputs(c);
    const opts = { ...c.geometry, bias, activation: c.activation };
    const whole = await conv2d(x, w, opts).toArray();
    const grads = conv2dBackward(dy, x, w, c.geometry);
    const [dx, db] = [await grads.dx!.toArray(), await grads.db!.toArray()];
    const eg = conv2dBackwardRef(dyr, xr, wr, c.geometry), scale = conv2dBackwardErrorScale(dyr, xr, wr, c.geometry);
    // The backward column matrix of two samples: two samples per chunk there, one in the forward pass
    // (whose column matrix has one more row per group, the ones row).
    const twoSamples = 2 * g.taps * g.outHeight * g.outWidth * 4;
    for (const maxIm2colBytes of [1, twoSamples]) {
      expectEqual(await conv2d(x, w, { ...opts, maxIm2colBytes }).toArray(), whole, `y, budget ${maxIm2colBytes}`);
      const chunked = conv2dBackward(dy, x, w, { ...c.geometry, maxIm2colBytes });
      expectEqual(await chunked.dx!.toArray(), dx, `dx, budget ${maxIm2colBytes}`);
      expectEqual(await chunked.db!.toArray(), db, `db, budget ${maxIm2colBytes}`);
      expectWithin(await chunked.dw!.toArray(), eg.dw.data, scale.dw.data, g.batch * g.outHeight * g.outWidth, `dw, budget ${maxIm2colBytes}`);
    }
  });
});

describe('weight gradient summed over groups of samples (split-K over the batch)', () => {
  it('gives the same bits for dx and db and dw within the bound at every group size, with and without chunks', async () => {
    const c: Case = { x: [5, 3, 6, 7], w: [4, 3, 3, 3], geometry: { padding: 1 } };
    const { g, x, w, dy, xr, wr, dyr } = inputs(c);
    const whole = conv2dBackward(dy, x, w, { ...c.geometry, dwSamplesPerPartial: 1 });
    const [dx, db] = [await whole.dx!.toArray(), await whole.db!.toArray()];
    const eg = conv2dBackwardRef(dyr, xr, wr, c.geometry), scale = conv2dBackwardErrorScale(dyr, xr, wr, c.geometry);
    const threeSamples = 3 * g.taps * g.outHeight * g.outWidth * 4;
    for (const maxIm2colBytes of [undefined, threeSamples]) {
      for (const dwSamplesPerPartial of [1, 2, 3, 5, 8]) {
        const what = `${dwSamplesPerPartial} per partial${maxIm2colBytes ? ', 3 samples per chunk' : ''}`;
        const grads = conv2dBackward(dy, x, w, { ...c.geometry, maxIm2colBytes, dwSamplesPerPartial });
        expectEqual(await grads.dx!.toArray(), dx, `dx, ${what}`);
        expectEqual(await grads.db!.toArray(), db, `db, ${what}`);
        expectWithin(await grads.dw!.toArray(), eg.dw.data, scale.dw.data, g.batch * g.outHeight * g.outWidth, `dw, ${what}`);
      }
    }
    // Depthwise: the sum runs over samples, each group kept apart.
    const d: Case = { x: [5, 4, 5, 6], w: [8, 1, 3, 3], geometry: { groups: 4, padding: 1 } };
    const di = inputs(d);
    const dg = conv2dBackward(di.dy, di.x, di.w, { ...d.geometry, dwSamplesPerPartial: 2 });
    const de = conv2dBackwardRef(di.dyr, di.xr, di.wr, d.geometry), ds = conv2dBackwardErrorScale(di.dyr, di.xr, di.wr, d.geometry);
    expectWithin(await dg.dw!.toArray(), de.dw.data, ds.dw.data, 5 * 5 * 6, 'depthwise dw, 2 per partial');
    expect(() => conv2dBackward(dy, x, w, { ...c.geometry, dwSamplesPerPartial: 0 })).toThrow('conv2dBackward: dwSamplesPerPartial must be a positive integer, got 0');
  });

  it('skips the reduction when one partial holds the whole batch', async () => {
    const plain = await init({ gpu: navigator.gpu, setCurrent: false });
    const x = tensor(rng.uniform(4 * 2 * 25), [4, 2, 5, 5], 'f32', plain), w = tensor(rng.uniform(3 * 2 * 9), [3, 2, 3, 3], 'f32', plain);
    const dy = tensor(rng.uniform(4 * 3 * 25), [4, 3, 5, 5], 'f32', plain);
    const count = (dwSamplesPerPartial: number) => {
      const before = plain.stats.dispatches;
      conv2dBackward(dy, x, w, { padding: 1, needs: { dx: false, db: false }, dwSamplesPerPartial });
      return plain.stats.dispatches - before;
    };
    // im2col + product (+ the reduction over partials).
    expect(count(4)).toBe(2);
    expect(count(2)).toBe(3);
    plain.destroy();
  });
});

describe('conv2d dispatches', () => {
  it('pointwise without bias: one matmul; with bias: im2col + matmul; per chunk: im2col + matmul', async () => {
    // A runtime without poisoning, whose count has no fill dispatches.
    const plain = await init({ gpu: navigator.gpu, setCurrent: false });
    const count = (f: () => void) => {
      const before = plain.stats.dispatches;
      f();
      return plain.stats.dispatches - before;
    };
    const x = tensor(rng.uniform(3 * 4 * 25), [3, 4, 5, 5], 'f32', plain);
    const w1 = tensor(rng.uniform(8), [2, 4, 1, 1], 'f32', plain), w3 = tensor(rng.uniform(72), [2, 4, 3, 3], 'f32', plain);
    const bias = tensor(rng.uniform(2), [2], 'f32', plain);
    expect(count(() => conv2d(x, w1, { activation: 'relu' }))).toBe(1);
    expect(count(() => conv2d(x, w1, { bias }))).toBe(2);
    expect(count(() => conv2d(x, w3, { bias, padding: 1, activation: 'relu' }))).toBe(2);
    expect(count(() => conv2d(x, w3, { padding: 1, maxIm2colBytes: 1 }))).toBe(6);
    plain.destroy();
  });
});

describe('conv2dBackward options and edge cases', () => {
  it('computes only the gradients asked for', async () => {
    const c: Case = { x: [2, 3, 5, 6], w: [4, 3, 3, 3], geometry: { padding: 1 } };
    const { g, x, w, dy, xr, wr, dyr } = inputs(c);
    const grads = conv2dBackward(dy, x, w, { ...c.geometry, needs: { dx: false, db: false } });
    expect(grads.dx).toBeNull();
    expect(grads.db).toBeNull();
    const eg = conv2dBackwardRef(dyr, xr, wr, c.geometry), scale = conv2dBackwardErrorScale(dyr, xr, wr, c.geometry);
    expectWithin(await grads.dw!.toArray(), eg.dw.data, scale.dw.data, g.batch * g.outHeight * g.outWidth, 'dw alone');
  });

  it('an empty batch gives an empty output and zero weight and bias gradients', async () => {
    const x = tensor(new Float32Array(0), [0, 2, 5, 5], 'f32', rt), w = tensor(rng.uniform(2 * 2 * 9), [2, 2, 3, 3], 'f32', rt);
    expect(conv2d(x, w).shape).toEqual([0, 2, 3, 3]);
    const grads = conv2dBackward(tensor(new Float32Array(0), [0, 2, 3, 3], 'f32', rt), x, w);
    expect(grads.dx!.shape).toEqual([0, 2, 5, 5]);
    expectEqual(await grads.dw!.toArray(), new Float32Array(36), 'dw');
    expectEqual(await grads.db!.toArray(), new Float32Array(2), 'db');
  });

  it('validates before any GPU work', () => {
    const x = tensor(rng.uniform(75), [1, 3, 5, 5], 'f32', rt), w = tensor(rng.uniform(54), [2, 3, 3, 3], 'f32', rt);
    const before = rt.stats.dispatches + rt.stats.uploads;
    expect(() => conv2d(x.reshape([3, 5, 5]), w)).toThrow(ShapeError);
    expect(() => conv2d(x, w, { groups: 3 })).toThrow(/groups \(3\) must divide both C_in \(3\) and C_out \(2\)/);
    expect(() => conv2d(x, w, { dilation: 3 })).toThrow(/output would be/);
    expect(() => conv2d(x, w, { bias: x })).toThrow(/bias must have shape \[C_out\] = \[2\]/);
    expect(() => conv2d(x, w, { activation: 'swish' as never })).toThrow(ArgumentError);
    expect(() => conv2dBackward(x, x, w)).toThrow(/conv2dBackward: dy must have/);
    expect(rt.stats.dispatches + rt.stats.uploads).toBe(before);
  });
});
