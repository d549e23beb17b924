import { beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/index.js';
import {
  avgPool2d, avgPool2dBackward, globalAvgPool2d, globalAvgPool2dBackward, maxPool2d, maxPool2dBackward, poolGeometry,
  type Pool2dOptions,
} from '../../src/ops/pool.js';
import {
  refAvgPool2d, refAvgPool2dBackward, refGlobalAvgPool2d, refGlobalAvgPool2dBackward, refMaxPool2d, refMaxPool2dBackward,
} from '../../src/reference/pool.js';
import { ref } from '../../src/reference/ref-tensor.js';
import { expectClose, expectEqual } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

beforeAll(async () => {
  await testRuntime();
});

const U = 2 ** -24;

/** Batch 1 and odd batches, channels 1/3/7/16, square and non-square images, every kernel/stride/padding kind. */
const CASES: [number[], Pool2dOptions][] = [
  [[1, 1, 7, 10], { kernelSize: 1 }],
  [[3, 3, 7, 10], { kernelSize: 3, stride: 1, padding: 1 }],
  [[1, 7, 7, 10], { kernelSize: 3, stride: 2, padding: 1 }],
  [[5, 3, 9, 8], { kernelSize: 5, stride: 2, padding: 2 }],
  [[2, 16, 6, 6], { kernelSize: [2, 3], stride: [2, 1], padding: [1, 1] }],
  [[3, 1, 7, 10], { kernelSize: 2 }],
  [[1, 3, 5, 5], { kernelSize: 5 }],
];

/** Most windows one input element can belong to: ⌈k_h/s_h⌉·⌈k_w/s_w⌉. */
function overlap(shape: number[], opts: Pool2dOptions): number {
  const g = poolGeometry('test', shape, opts);
  return Math.ceil(g.kh / g.sh) * Math.ceil(g.kw / g.sw);
}

describe('max pooling', () => {
  it('forward values and argmax indices equal the reference exactly; the gather backward matches the scatter', async () => {
    const rng = new Rng();
    for (const [shape, opts] of CASES) {
      const what = `[${shape}] ${JSON.stringify(opts)}`;
      const n = shape.reduce((a, b) => a * b, 1);
      const data = rng.uniform(n);
      const { y, indices } = maxPool2d(tensor(data, shape), opts);
      const expected = refMaxPool2d(ref(data, shape), opts);
      expect(y.shape, what).toEqual(expected.y.shape);
      // Comparisons only: exact.
      expectEqual(await y.toArray(), expected.y.data, `maxPool2d ${what}`);
      expectEqual(await indices.toArray(), expected.indices.data, `maxPool2d indices ${what}`);
      const dy = rng.uniform(y.size);
      const dx = maxPool2dBackward(tensor(dy, y.shape), indices, shape, opts);
      // Each dx sums at most W = overlap dy (|dy| ≤ 1) in the reference's order: |err| ≤ (W − 1)·u·W (Higham).
      const w = overlap(shape, opts);
      const want = refMaxPool2dBackward(ref(dy, y.shape), expected.indices, shape).data;
      expectClose(await dx.toArray(), want, { rtol: 0, atol: Math.max(w - 1, 0) * w * U }, `maxPool2dBackward ${what}`);
      // Gated by a ReLU output (x clamped at 0, so a share of the gate is exactly 0): dx·(x > 0).
      const relu = data.map((v) => Math.max(v, 0));
      const gated = maxPool2dBackward(tensor(dy, y.shape), indices, shape, opts, tensor(relu, shape));
      const wantGated = refMaxPool2dBackward(ref(dy, y.shape), expected.indices, shape, ref(relu, shape)).data;
      expectClose(await gated.toArray(), wantGated, { rtol: 0, atol: Math.max(w - 1, 0) * w * U }, `maxPool2dBackward gated ${what}`);
    }
  });

  it('refuses a gate of another shape before any GPU work', () => {
    const { indices, y } = maxPool2d(tensor(new Float32Array(16), [1, 1, 4, 4]), { kernelSize: 2 });
    const gate = tensor(new Float32Array(4), [1, 1, 2, 2]);
    expect(() => maxPool2dBackward(y, indices, [1, 1, 4, 4], { kernelSize: 2 }, gate)).toThrow(/gate must have the input's shape/);
  });

  it('ties pick the first element and a window overlapping the padding never picks it', async () => {
    const shape = [1, 1, 3, 3];
    const { y, indices } = maxPool2d(tensor(new Float32Array(9).fill(-5), shape), { kernelSize: 3, stride: 1, padding: 1 });
    expectEqual(await y.toArray(), new Float32Array(9).fill(-5));
    // Window (i, j) first covers in-image element (max(i − 1, 0), max(j − 1, 0)).
    expectEqual(await indices.toArray(), [0, 0, 1, 0, 0, 1, 3, 3, 4]);
  });
});

describe('average pooling', () => {
  it('forward and gather backward match the reference with and without count_include_pad', async () => {
    const rng = new Rng();
    for (const [shape, opts] of CASES) {
      for (const countIncludePad of [true, false]) {
        const o = { ...opts, countIncludePad };
        const what = `[${shape}] ${JSON.stringify(o)}`;
        const n = shape.reduce((a, b) => a * b, 1);
        const data = rng.uniform(n);
        const y = avgPool2d(tensor(data, shape), o);
        const g = poolGeometry('test', shape, o);
        // A sum of ≤ k_h·k_w values |x| ≤ 1 over a divisor ≥ their count: |err| ≤ k_h·k_w·u + rounding of the division.
        expectClose(await y.toArray(), refAvgPool2d(ref(data, shape), o).data, { rtol: U, atol: g.kh * g.kw * U }, `avgPool2d ${what}`);
        const dy = rng.uniform(y.size);
        const dx = avgPool2dBackward(tensor(dy, y.shape), shape, o);
        // W terms dy/divisor, each ≤ 1 with one rounding, summed: |err| ≤ 2·W²·u.
        const w = overlap(shape, o);
        expectClose(await dx.toArray(), refAvgPool2dBackward(ref(dy, y.shape), shape, o).data, { rtol: 0, atol: 2 * w * w * U }, `avgPool2dBackward ${what}`);
      }
    }
  });

  it('global average pooling: [N, C, 1, 1] or [N, C], backward broadcast of dy/(H·W)', async () => {
    const rng = new Rng();
    const cases: [number[], boolean][] = [[[3, 7, 7, 10], true], [[1, 16, 1, 1], false], [[2, 3, 5, 5], false]];
    for (const [shape, keepDims] of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = rng.uniform(n);
      const y = globalAvgPool2d(tensor(data, shape), keepDims);
      const expected = refGlobalAvgPool2d(ref(data, shape), keepDims);
      expect(y.shape).toEqual(expected.shape);
      // A serial sum of H·W values |x| ≤ 1, then /(H·W): |err| ≤ (H·W − 1)·u·Σ|x|/(H·W) + u ≤ 2·H·W·u.
      expectClose(await y.toArray(), expected.data, { rtol: 0, atol: 2 * shape[2]! * shape[3]! * U }, `globalAvgPool2d [${shape}]`);
      const dy = rng.uniform(y.size);
      const dx = globalAvgPool2dBackward(tensor(dy, y.shape), shape);
      // One division per element.
      expectClose(await dx.toArray(), refGlobalAvgPool2dBackward(ref(dy, y.shape), shape).data, { rtol: U }, `globalAvgPool2dBackward [${shape}]`);
    }
  });

  it('an empty batch gives empty outputs of the right shape', () => {
    const x = tensor(new Float32Array(0), [0, 3, 4, 4]);
    expect(avgPool2d(x, { kernelSize: 2 }).shape).toEqual([0, 3, 2, 2]);
    expect(maxPool2d(x, { kernelSize: 2 }).indices.shape).toEqual([0, 3, 2, 2]);
  });
});
