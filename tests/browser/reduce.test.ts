import { beforeAll, describe, expect, it } from 'vitest';
import { argmax, argmin, max, mean, min, sum, tensor, type Runtime, type Tensor } from '../../src/index.js';
import { sum as sumOp } from '../../src/ops/reduce.js';
import { ref, type RefTensor } from '../../src/reference/ref-tensor.js';
import { refArgmax, refArgmin, refMax, refMean, refMin, refSum } from '../../src/reference/reduce.js';
import { expectClose, type Tolerance } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

const EPS = 2 ** -23;
type Axes = number | number[] | undefined;

/** Small integers as f32: every partial sum below 2^24 is exact in f32, so sums must match exactly. */
function integers(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from(rng.int(n, lo, hi));
}

/** Exact unless a tolerance is given. */
async function check(y: Tensor, expected: RefTensor, what: string, tol: Tolerance = { rtol: 0 }): Promise<void> {
  expect(y.shape, `${what}: shape`).toEqual(expected.shape);
  expectClose(await y.toArray(), expected.data, tol, what);
}

/**
 * Float inputs: whatever order the kernel adds in, |f32 sum − exact| ≤ (r − 1)·u·Σ|x| (Higham, Accuracy and
 * Stability §4.2; u = 2⁻²⁴, we allow 2⁻²³ in case the device does not round to nearest). The mean's
 * multiply by 1/r adds two roundings. This worst case is loose; the integer-input tests check exactness.
 */
function sumBound(x: RefTensor, axes: Axes, isMean: boolean): number {
  const abs = refSum(ref(x.data.map(Math.abs), x.shape), axes);
  const r = x.data.length / Math.max(abs.data.length, 1);
  const worst = abs.data.reduce((a, b) => Math.max(a, b), 0);
  return isMean ? ((r + 1) * EPS * worst) / r : (r - 1) * EPS * worst;
}

const AXES_3D: Axes[] = [0, 1, 2, -1, [0, 1], [0, 2], [1, 2], [-3, -1], [0, 1, 2], undefined];

describe('sum / mean / max / min', () => {
  it('reduce [3, 17, 65] over each axis and axis set, with and without keepDims', async () => {
    const rng = new Rng();
    const shape = [3, 17, 65];
    const data = rng.uniform(3 * 17 * 65);
    const ints = integers(rng, data.length, -8, 8);
    const x = tensor(data, shape), xi = tensor(ints, shape);
    const rx = ref(data, shape), rxi = ref(ints, shape);
    for (const [k, axes] of AXES_3D.entries()) {
      const keepDims = k % 2 === 1;
      const what = `axes ${JSON.stringify(axes)} keepDims ${keepDims}`;
      await check(sum(xi, axes, keepDims), refSum(rxi, axes, keepDims), `sum of integers, ${what}`);
      await check(sum(x, axes, keepDims), refSum(rx, axes, keepDims), `sum, ${what}`, { rtol: 0, atol: sumBound(rx, axes, false) });
      await check(mean(x, axes, keepDims), refMean(rx, axes, keepDims), `mean, ${what}`, { rtol: 0, atol: sumBound(rx, axes, true) });
      // Comparisons only: exact.
      await check(max(x, axes, keepDims), refMax(rx, axes, keepDims), `max, ${what}`);
      await check(min(x, axes, keepDims), refMin(rx, axes, keepDims), `min, ${what}`);
    }
  });

  it('reduce [1000, 3] over axis 0 (few columns, long r) and odd small shapes', async () => {
    const rng = new Rng();
    for (const shape of [[1000, 3], [129, 1], [1, 129], [17], [1]]) {
      const ints = integers(rng, shape.reduce((a, b) => a * b), -8, 8);
      const x = tensor(ints, shape), rx = ref(ints, shape);
      await check(sum(x, 0), refSum(rx, 0), `sum [${shape}] axis 0`);
      // Exact integer sum, then two roundings: 1/r in f32 and the product.
      await check(mean(x, 0, true), refMean(rx, 0, true), `mean [${shape}] axis 0`, { rtol: 2 * EPS });
      await check(max(x, 0), refMax(rx, 0), `max [${shape}] axis 0`);
      await check(min(x, -1), refMin(rx, -1), `min [${shape}] axis -1`);
    }
  });

  it('sum a 1-D tensor of 300k elements in two passes (chunk partials, then the partials)', async () => {
    const rng = new Rng();
    const n = 300_001;
    // |partial sums| ≤ 8·n < 2^24: exact.
    const ints = integers(rng, n, -8, 9);
    await check(sum(tensor(ints)), refSum(ref(ints, [n])), 'sum of 300k integers');
    const data = rng.uniform(n);
    const rx = ref(data, [n]);
    await check(mean(tensor(data)), refMean(rx), 'mean of 300k floats', { rtol: 0, atol: sumBound(rx, undefined, true) });
    await check(max(tensor(data)), refMax(rx), 'max of 300k');
    await check(min(tensor(data)), refMin(rx), 'min of 300k');
  });

  it('sum with planAs: every output of a stacked sum rounds as in the one-trial sum it is planned as', async () => {
    const rng = new Rng();
    // A convolution's bias gradient over T = 5 trials of C = 6 channels ([B, T·C, H, W] over 0, 2, 3; chunked:
    // B·H·W is long), and a Linear's over trials ([T, B, out] over 1, one trial alone being [B, out] over 0).
    const T = 5;
    const channelSlice = (x: Float32Array, t: number) => x.filter((_, i) => Math.floor(Math.floor(i / 81) % (T * 6) / 6) === t);
    const cases = [
      { shape: [40, T * 6, 9, 9], axes: [0, 2, 3], planAs: [40, 6, 9, 9], one: [40, 6, 9, 9], oneAxes: [0, 2, 3], slice: channelSlice },
      { shape: [T, 700, 9], axes: [1], planAs: [1, 700, 9], one: [700, 9], oneAxes: [0], slice: (x: Float32Array, t: number) => x.slice(t * 6300, (t + 1) * 6300) },
    ];
    for (const { shape, axes, planAs, one, oneAxes, slice } of cases) {
      const x = rng.normal(shape.reduce((a, b) => a * b, 1));
      const stacked = await sumOp(tensor(x, shape), axes, false, planAs).toArray();
      const per = stacked.length / T;
      for (let t = 0; t < T; t++) {
        const alone = await sum(tensor(slice(x, t), one), oneAxes).toArray();
        expect(Array.from(stacked.subarray(t * per, (t + 1) * per)), `trial ${t} of [${shape.join(', ')}]`).toEqual(Array.from(alone));
      }
    }
  });

  it('propagate NaN through max and min, in one pass and in two', async () => {
    const rng = new Rng();
    const data = rng.uniform(4 * 65);
    data[65 + 7] = NaN;
    data[3 * 65 + 64] = NaN;
    const rx = ref(data, [4, 65]);
    // Rows 0 and 2 stay finite, so an unwritten (NaN-poisoned) output would still fail.
    await check(max(tensor(data, [4, 65]), 1), refMax(rx, 1), 'max with NaN rows');
    await check(min(tensor(data, [4, 65]), 1), refMin(rx, 1), 'min with NaN rows');
    const long = rng.uniform(200_000);
    long[150_000] = NaN;
    expect(await max(tensor(long)).item()).toBeNaN();
  });

  it('handle size-1 axes, scalars, empty outputs and empty reductions', async () => {
    const x = tensor([[[1, 2, 3, 4]], [[5, 6, 7, 8]], [[-1, -2, -3, -4]]]);
    await check(sum(x, 1), refSum(ref(await x.toArray(), [3, 1, 4]), 1), 'sum over a size-1 axis');
    await check(sum(tensor(Float32Array.of(2.5), [])), ref([2.5], []), 'sum of a scalar');
    expect(sum(tensor(new Float32Array(0), [0, 3]), 1).shape).toEqual([0]);
    await check(sum(tensor(new Float32Array(0), [2, 0]), 1), ref([0, 0], [2]), 'empty sum');
    await check(mean(tensor(new Float32Array(0), [2, 0]), -1, true), ref([NaN, NaN], [2, 1]), 'empty mean');
  });

  it('give back the intermediates of multi-step reductions and the partials of two-pass ones', async () => {
    const rng = new Rng();
    const x = tensor(rng.uniform(3 * 17 * 65), [3, 17, 65]);
    const long = tensor(rng.uniform(300_000));
    await rt.sync();
    const before = rt.memory().inUseBuffers;
    const y = sum(x, [0, 2]);
    const z = argmax(long);
    expect(rt.memory().inUseBuffers).toBe(before + 2);
    y.dispose();
    z.dispose();
  });
});

describe('argmax / argmin', () => {
  it('return the first index of ties over each axis of [3, 17, 65] and the flattened tensor', async () => {
    const rng = new Rng();
    const shape = [3, 17, 65];
    // Four distinct values: every slice has many ties.
    const ints = integers(rng, 3 * 17 * 65, 0, 4);
    const x = tensor(ints, shape), rx = ref(ints, shape);
    for (const axis of [0, 1, 2, -2, undefined]) {
      for (const keepDims of [false, true]) {
        const y = argmax(x, axis, keepDims);
        expect(y.dtype).toBe('i32');
        await check(y, refArgmax(rx, axis, keepDims), `argmax axis ${axis} keepDims ${keepDims}`);
        await check(argmin(x, axis, keepDims), refArgmin(rx, axis, keepDims), `argmin axis ${axis} keepDims ${keepDims}`);
      }
    }
  });

  it('carry (value, index) pairs through the two-pass split of 300k elements', async () => {
    const rng = new Rng();
    const n = 300_000;
    const data = rng.uniform(n);
    // The extreme value twice, far apart (different chunks): the first one must win.
    const a = Math.floor(rng.next() * n / 2), b = n / 2 + Math.floor(rng.next() * n / 2);
    data[a] = data[b] = 2;
    data[b - 1] = -2;
    data[n - 1] = -2;
    const x = tensor(data), rx = ref(data, [n]);
    await check(argmax(x), refArgmax(rx), 'argmax of 300k');
    await check(argmin(x), refArgmin(rx), 'argmin of 300k');
    data[a + 1] = data[b + 1] = NaN;
    expect(await argmax(tensor(data)).item()).toBe(a + 1);
    expect(await argmin(tensor(data)).item()).toBe(a + 1);
  });

  it('reduce [1000, 3] over axis 0 and give 0 over a size-1 axis', async () => {
    const ints = integers(new Rng(), 3000, -20, 20);
    const x = tensor(ints, [1000, 3]);
    await check(argmax(x, 0), refArgmax(ref(ints, [1000, 3]), 0), 'argmax [1000, 3] axis 0');
    await check(argmin(tensor(ints, [3, 1, 1000]), 1), ref(new Float64Array(3000), [3, 1000]), 'argmin over a size-1 axis');
  });
});
