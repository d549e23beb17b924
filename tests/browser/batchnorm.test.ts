import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError, tensor, type Runtime, type Tensor } from '../../src/index.js';
import { batchNormBackward, batchNormEval, batchNormTrain } from '../../src/ops/batchnorm.js';
import { refBatchNormBackward, refBatchNormEval, refBatchNormTrain } from '../../src/reference/batchnorm.js';
import { ref, type RefTensor } from '../../src/reference/ref-tensor.js';
import { expectClose } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

const rng = new Rng();

/** The same random f32 data on the GPU and (exactly) in float64 for the reference. */
function pair(shape: number[], scale = 1, offset = 0): { t: Tensor; r: RefTensor } {
  const n = shape.reduce((a, d) => a * d, 1);
  const data = rng.normal(n).map((v) => offset + scale * v);
  return { t: tensor(data, shape), r: ref(data, shape) };
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** A bound relative to the vector's largest element: f32 errors scale with it, not with each element. */
const scaled = (expected: RefTensor, r: number) => ({ rtol: r, atol: r * maxAbs(expected.data) });

describe('batchNormTrain and batchNormBackward on the GPU', () => {
  const cases: { shape: number[]; affine: boolean; relu: boolean }[] = [
    { shape: [2, 3, 5, 7], affine: true, relu: false }, // 2-D, H×W not square
    { shape: [3, 1, 5, 7], affine: true, relu: true }, // one channel, odd batch
    { shape: [1, 7, 3, 2], affine: true, relu: false }, // batch 1 is fine in 2-D: 6 values per channel
    { shape: [5, 16], affine: true, relu: true }, // BatchNorm1d on [N, C], odd batch
    { shape: [3, 7, 9], affine: false, relu: false }, // BatchNorm1d on [N, C, L], no affine
    { shape: [2, 16, 3, 3], affine: true, relu: true },
  ];
  for (const { shape, affine, relu } of cases) {
    it(`forward and backward match the reference: [${shape}], affine ${affine}, relu ${relu}`, async () => {
      const c = shape[1]!;
      const x = pair(shape, 2, 0.5);
      const gamma = affine ? pair([c], 0.5, 1) : null;
      const beta = affine ? pair([c]) : null;
      const rm = pair([c]), rv = pair([c], 0.1, 1);
      const dy = pair(shape);
      const out = batchNormTrain(x.t, gamma?.t ?? null, beta?.t ?? null, rm.t, rv.t, { relu });
      const grads = batchNormBackward(dy.t, x.t, gamma?.t ?? null, out.saveMean, out.saveInvstd, { y: out.y, relu });
      const e = refBatchNormTrain(x.r, gamma?.r ?? null, beta?.r ?? null, rm.r, rv.r, { relu });
      // Using the GPU's own y as the ReLU mask keeps an element with y ≈ 0 from flipping between the two sides.
      const y = ref(await out.y.toArray(), shape);
      const g = refBatchNormBackward(dy.r, x.r, gamma?.r ?? null, e.saveMean, e.saveInvstd, { y: relu ? y : e.y, relu });
      // f32 statistics over ≤ 70 values: 1e-5 relative (of the largest element for y and the gradients).
      expectClose(await out.saveMean.toArray(), e.saveMean.data, scaled(e.saveMean, 1e-5), 'saveMean');
      expectClose(await out.saveInvstd.toArray(), e.saveInvstd.data, { rtol: 1e-5 }, 'saveInvstd');
      expectClose(y.data, e.y.data, scaled(e.y, 1e-5), 'y');
      expectClose(await rm.t.toArray(), e.runningMean!.data, scaled(e.runningMean!, 1e-5), 'runningMean');
      expectClose(await rv.t.toArray(), e.runningVar!.data, { rtol: 1e-5 }, 'runningVar');
      expectClose(await grads.dx.toArray(), g.dx.data, scaled(g.dx, 1e-4), 'dx');
      if (affine) {
        expectClose(await grads.dgamma!.toArray(), g.dgamma.data, scaled(g.dgamma, 1e-4), 'dgamma');
        expectClose(await grads.dbeta!.toArray(), g.dbeta.data, scaled(g.dbeta, 1e-4), 'dbeta');
      } else {
        expect(grads.dgamma).toBeNull();
        expect(grads.dbeta).toBeNull();
      }
    });
  }

  it('computes the variance stably for x ≈ 1000 + N(0, 1)', async () => {
    // Σx²/n − (Σx/n)² in f32 is off by tens of percent here (Σx² ≈ 2.6e8, ulp 16): the bound is 1e-4.
    const shape = [4, 3, 8, 8];
    const x = pair(shape, 1, 1000);
    const out = batchNormTrain(x.t, null, null, null, null);
    const e = refBatchNormTrain(x.r, null, null, null, null);
    expectClose(await out.saveInvstd.toArray(), e.saveInvstd.data, { rtol: 1e-4 }, 'invstd');
    expectClose(await out.saveMean.toArray(), e.saveMean.data, { rtol: 1e-6 }, 'mean');
    // x − μ loses what f32 cannot hold of x near 1000 (ulp 6e-5): y to 5e-4 absolute.
    expectClose(await out.y.toArray(), e.y.data, { rtol: 0, atol: 5e-4 }, 'y');
  });

  it('running statistics after 3 steps match the reference, and eval mode uses them', async () => {
    const shape = [5, 3, 2, 3];
    let rm = pair([3], 0), rv = pair([3], 0, 1);
    let erm = rm.r, erv = rv.r;
    for (let step = 0; step < 3; step++) {
      const x = pair(shape, 1 + step, step);
      batchNormTrain(x.t, null, null, rm.t, rv.t, { momentum: 0.2 });
      const e = refBatchNormTrain(x.r, null, null, erm, erv, { momentum: 0.2 });
      erm = e.runningMean!;
      erv = e.runningVar!;
    }
    // Three f32 blends of f32 statistics: 1e-5 relative.
    expectClose(await rm.t.toArray(), erm.data, scaled(erm, 1e-5), 'running mean');
    expectClose(await rv.t.toArray(), erv.data, { rtol: 1e-5 }, 'running var');
    const x = pair(shape, 3, 1);
    const gamma = pair([3]), beta = pair([3]);
    for (const relu of [false, true]) {
      const y = batchNormEval(x.t, gamma.t, beta.t, rm.t, rv.t, { relu, eps: 1e-3 });
      const e = refBatchNormEval(x.r, gamma.r, beta.r, ref(await rm.t.toArray(), [3]), ref(await rv.t.toArray(), [3]), { relu, eps: 1e-3 });
      expectClose(await y.toArray(), e.data, scaled(e, 1e-5), `eval, relu ${relu}`);
    }
  });

  it('refuses one value per channel in training, and bad shapes and options, before any GPU work', () => {
    const x1 = tensor(new Float32Array(4), [1, 4]);
    const x = tensor(new Float32Array(12), [3, 4]);
    const c4 = tensor(new Float32Array(4), [4]);
    const c3 = tensor(new Float32Array(3), [3]);
    const oneSpatial = tensor(new Float32Array(2), [1, 2, 1]);
    const vector = tensor(new Float32Array(4), [4]);
    const before = rt.stats.dispatches + rt.stats.uploads;
    expect(() => batchNormTrain(x1, null, null, null, null)).toThrow(/Expected more than 1 value per channel when training, got input size \[1, 4\]/);
    expect(() => batchNormTrain(oneSpatial, null, null, null, null)).toThrow(ArgumentError);
    expect(() => batchNormTrain(x, c3, c3, null, null)).toThrow(ShapeError);
    expect(() => batchNormTrain(x, c4, null, null, null)).toThrow(/together/);
    expect(() => batchNormTrain(x, null, null, c4, c4)).toThrow(/different tensors/);
    expect(() => batchNormTrain(x, null, null, null, null, { momentum: 2 })).toThrow(/momentum/);
    expect(() => batchNormEval(x, null, null, c4, c3)).toThrow(ShapeError);
    expect(() => batchNormTrain(vector, null, null, null, null)).toThrow(ShapeError);
    expect(() => batchNormBackward(x, x, null, c4, c4, { relu: true })).toThrow(/pass \{ y \}/);
    expect(() => batchNormBackward(x1, x, null, c4, c4)).toThrow(ShapeError);
    expect(rt.stats.dispatches + rt.stats.uploads).toBe(before);
  });
});
