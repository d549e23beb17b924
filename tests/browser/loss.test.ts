import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError, tensor, zeros, type Reduction, type Runtime, type Tensor } from '../../src/index.js';
import {
  bceWithLogits, bceWithLogitsBackward, checkLabels, l2Penalty, l2PenaltyBackward, lossValue, mseLoss, mseLossBackward,
  softmaxCrossEntropy, softmaxCrossEntropyBackward,
} from '../../src/ops/loss.js';
import {
  refBceWithLogits, refBceWithLogitsBackward, refL2Penalty, refL2PenaltyBackward, refMse, refMseBackward, refSoftmaxCrossEntropy,
  refSoftmaxCrossEntropyBackward,
} from '../../src/reference/loss.js';
import { ref, type RefTensor } from '../../src/reference/ref-tensor.js';
import { expectClose } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

const rng = new Rng();
const reductions: Reduction[] = ['mean', 'sum', 'none'];

/** The same f32 data on the GPU and (exactly) in float64 for the reference. */
function pair(data: Float32Array, shape: number[]): { t: Tensor; r: RefTensor } {
  return { t: tensor(data, shape), r: ref(data, shape) };
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
/** A bound relative to the largest expected element (f32 rounding scales with it). */
const scaled = (expected: RefTensor, r: number) => ({ rtol: r, atol: r * maxAbs(expected.data) });

describe('softmaxCrossEntropy', () => {
  for (const [n, c] of [[7, 3], [5, 10], [3, 1000]] as const) {
    for (const reduction of reductions) {
      it(`loss and fused gradient match the reference: N ${n}, C ${c}, ${reduction}, ε 0 and 0.1`, async () => {
        // Logits spread over ±20 around an offset of 1000 in one row: exp must never see them raw.
        const data = rng.normal(n * c).map((v) => 5 * v);
        for (let j = 0; j < c; j++) data[j] = data[j]! + 1000;
        const logits = pair(data, [n, c]);
        const labels = rng.int(n, 0, c);
        const gpuLabels = tensor(labels, [n]);
        for (const labelSmoothing of [0, 0.1]) {
          const opts = { reduction, labelSmoothing };
          const res = softmaxCrossEntropy(logits.t, labelSmoothing ? gpuLabels : labels, opts);
          const eLoss = refSoftmaxCrossEntropy(logits.r, labels, opts);
          const eGrad = refSoftmaxCrossEntropyBackward(logits.r, labels, null, opts);
          expect(res.loss.shape).toEqual(reduction === 'none' ? [n] : []);
          await checkLabels(res);
          // f32 logsumexp: 1e-5 relative to the largest loss (loss terms are differences of numbers ≤ ~1000).
          expectClose(await res.loss.toArray(), eLoss.data, scaled(eLoss, 1e-5), 'loss');
          expectClose(await res.grad!.toArray(), eGrad.data, scaled(eGrad, 1e-5), 'grad');
        }
      });
    }
  }

  it('backward with an upstream gradient matches the reference (scalar for mean, per row for none)', async () => {
    const [n, c] = [6, 10];
    const logits = pair(rng.normal(n * c), [n, c]);
    const labels = rng.int(n, 0, c);
    for (const reduction of ['mean', 'none'] as const) {
      const dloss = pair(rng.normal(reduction === 'none' ? n : 1), reduction === 'none' ? [n] : []);
      const g = softmaxCrossEntropyBackward(logits.t, labels, dloss.t, { reduction, labelSmoothing: 0.1 });
      const e = refSoftmaxCrossEntropyBackward(logits.r, labels, dloss.r, { reduction, labelSmoothing: 0.1 });
      expectClose(await g.toArray(), e.data, scaled(e, 1e-5), reduction);
    }
  });

  it('gives ln C for equal logits (the lecture sanity check) and no gradient with { grad: false }', async () => {
    const res = softmaxCrossEntropy(zeros([4, 10]), [0, 1, 2, 9], { grad: false });
    expect(res.grad).toBeNull();
    // f32 log(10): 1e-6 relative.
    expectClose([await lossValue(res)], [Math.log(10)], { rtol: 1e-6 }, 'ln 10');
  });

  it('flags out-of-range GPU labels: NaN rows, and checkLabels / lossValue throw naming index, label and C', async () => {
    const logits = tensor(rng.normal(5 * 3), [5, 3]);
    const bad = tensor(Int32Array.of(0, 2, 3, 1, -1), [5]);
    const none = softmaxCrossEntropy(logits, bad, { reduction: 'none' });
    const rows = await none.loss.toArray();
    expect([0, 1, 3].every((i) => Number.isFinite(rows[i]))).toBe(true);
    expect(Number.isNaN(rows[2]) && Number.isNaN(rows[4])).toBe(true);
    await expect(checkLabels(none)).rejects.toThrow(/softmaxCrossEntropy: label 3 at index 2 is out of range \[0, 3\) \(C = 3; 2 of 5 labels/);
    await expect(checkLabels(none)).rejects.toThrow(ArgumentError);
    await expect(lossValue(softmaxCrossEntropy(logits, bad))).rejects.toThrow(/index 2/);
    await expect(checkLabels(softmaxCrossEntropy(logits, tensor(Int32Array.of(0, 1, 2, 0, 1), [5])))).resolves.toBeUndefined();
  });

  it('stacked batches (a search\'s trials): each batch\'s loss and gradient are bit for bit the batch alone\'s; bad labels count once', async () => {
    const T = 3, n = 37, c = 11, smoothing = 0.1;
    const logits = rng.normal(T * n * c).map((v) => 4 * v);
    const labels = Int32Array.from({ length: n }, () => rng.int(1, 0, c)[0]!);
    const y = tensor(labels, [n]);
    for (const reduction of ['mean', 'sum'] as const) {
      const stacked = softmaxCrossEntropy(tensor(logits, [T * n, c]), y, { reduction, labelSmoothing: smoothing, stacked: T });
      expect(stacked.loss.shape).toEqual([T]);
      const loss = await stacked.loss.toArray(), grad = await stacked.grad!.toArray();
      for (let t = 0; t < T; t++) {
        const alone = softmaxCrossEntropy(tensor(logits.slice(t * n * c, (t + 1) * n * c), [n, c]), y, { reduction, labelSmoothing: smoothing });
        expect(loss[t]).toBe((await alone.loss.toArray())[0]);
        expect(Array.from(grad.subarray(t * n * c, (t + 1) * n * c))).toEqual(Array.from(await alone.grad!.toArray()));
      }
    }
    const bad = labels.slice();
    bad[5] = c;
    const r = softmaxCrossEntropy(tensor(logits, [T * n, c]), tensor(bad, [n]), { stacked: T });
    await expect(checkLabels(r)).rejects.toThrow(new RegExp(`label ${c} at index 5 is out of range .* 1 of ${n} labels`));
    expect(() => softmaxCrossEntropy(tensor(logits, [T * n, c]), y, { stacked: 2 })).toThrow(/stacked must be a positive integer dividing the 111 rows/);
    expect(() => softmaxCrossEntropy(tensor(logits.slice(0, 2 * n * c), [2 * n, c]), y, { stacked: 1 })).toThrow(ShapeError);
  });

  it('checks CPU labels on the CPU before any GPU work', () => {
    const logits = tensor(new Float32Array(6), [2, 3]);
    const before = rt.stats.dispatches + rt.stats.uploads;
    expect(() => softmaxCrossEntropy(logits, Int32Array.of(0, 3))).toThrow(/softmaxCrossEntropy: label 3 at index 1 is out of range \[0, 3\) \(C = 3\)/);
    expect(() => softmaxCrossEntropy(logits, [-1, 0])).toThrow(ArgumentError);
    expect(() => softmaxCrossEntropy(logits, [0, 1.5])).toThrow(/label 1.5 at index 1 is not an integer/);
    expect(() => softmaxCrossEntropy(logits, Float32Array.of(0, 1) as unknown as Int32Array)).toThrow(DTypeError);
    expect(() => softmaxCrossEntropy(logits, [0, 1, 2])).toThrow(ShapeError);
    expect(() => softmaxCrossEntropy(logits, [0, 1], { labelSmoothing: 1.5 })).toThrow(/labelSmoothing/);
    expect(() => softmaxCrossEntropy(logits, logits.reshape([6]))).toThrow(DTypeError);
    expect(() => softmaxCrossEntropyBackward(logits, [0, 1], logits, { reduction: 'mean' })).toThrow(/one value/);
    expect(rt.stats.dispatches + rt.stats.uploads).toBe(before);
  });
});

describe('bceWithLogits and mseLoss', () => {
  for (const c of [1, 3]) {
    it(`match the reference with C = ${c}, for every reduction, forward and backward`, async () => {
      const n = 9;
      // Include saturated logits (±30, −100) where a naive log(σ(z)) would give −inf.
      const z = rng.normal(n * c).map((v) => 4 * v);
      z[0] = 30;
      z[z.length - 1] = -100;
      const logits = pair(z, [n, c]);
      const targets = pair(rng.uniform(n * c, 0, 1), [n, c]);
      for (const reduction of reductions) {
        const bce = bceWithLogits(logits.t, targets.t, { reduction });
        const mse = mseLoss(logits.t, targets.t, { reduction });
        const eB = refBceWithLogits(logits.r, targets.r, { reduction });
        const eM = refMse(logits.r, targets.r, { reduction });
        // f32 with log1p by series below 1e-2: 1e-5 relative to the largest element.
        expectClose(await bce.loss.toArray(), eB.data, scaled(eB, 1e-5), `bce loss ${reduction}`);
        expectClose(await mse.loss.toArray(), eM.data, scaled(eM, 1e-5), `mse loss ${reduction}`);
        const gB = refBceWithLogitsBackward(logits.r, targets.r, null, { reduction });
        const gM = refMseBackward(logits.r, targets.r, null, { reduction });
        expectClose(await bce.grad!.toArray(), gB.data, scaled(gB, 1e-6), `bce grad ${reduction}`);
        expectClose(await mse.grad!.toArray(), gM.data, scaled(gM, 1e-6), `mse grad ${reduction}`);
        const dloss = pair(rng.normal(reduction === 'none' ? n * c : 1), reduction === 'none' ? [n, c] : []);
        const dB = refBceWithLogitsBackward(logits.r, targets.r, dloss.r, { reduction });
        const dM = refMseBackward(logits.r, targets.r, dloss.r, { reduction });
        expectClose(await bceWithLogitsBackward(logits.t, targets.t, dloss.t, { reduction }).toArray(), dB.data, scaled(dB, 1e-6), `bce backward ${reduction}`);
        expectClose(await mseLossBackward(logits.t, targets.t, dloss.t, { reduction }).toArray(), dM.data, scaled(dM, 1e-6), `mse backward ${reduction}`);
      }
    });
  }

  it('keeps the relative precision of tiny BCE losses (confident, correct predictions)', async () => {
    const z = Float32Array.of(20, 12, 6, -9);
    const y = Float32Array.of(1, 1, 1, 0);
    const res = bceWithLogits(tensor(z), tensor(y), { reduction: 'none', grad: false });
    expect(res.grad).toBeNull();
    // Losses e^-20 … e^-6: 1e-5 relative each, where log(1 + t) in f32 would return 0 for the first.
    expectClose(await res.loss.toArray(), refBceWithLogits(ref(z, [4]), ref(y, [4]), { reduction: 'none' }).data, { rtol: 1e-5 }, 'tiny losses');
  });

  it('refuse mismatched shapes and dtypes', () => {
    const a = tensor(new Float32Array(6), [2, 3]);
    expect(() => bceWithLogits(a, tensor(new Float32Array(6), [3, 2]))).toThrow(ShapeError);
    expect(() => mseLoss(a, tensor(new Int32Array(6), [2, 3]))).toThrow(DTypeError);
    expect(() => mseLoss(a, a, { reduction: 'avg' as Reduction })).toThrow(/reduction/);
    expect(() => mseLossBackward(a, a, tensor(new Float32Array(6), [6]), { reduction: 'none' })).toThrow(ShapeError);
  });
});

describe('l2Penalty', () => {
  it('sums λ·Σw² over several parameters on the GPU and gives 2λ·W as gradient', async () => {
    const shapes = [[3, 5], [7], [1]];
    const params = shapes.map((s) => pair(rng.normal(s.reduce((a, d) => a * d, 1)), s));
    const lambda = 0.03;
    const e = refL2Penalty(params.map((p) => p.r), lambda);
    // f32 sums of 23 squares: 1e-6 relative.
    expectClose([await l2Penalty(params.map((p) => p.t), lambda).item()], e.data, { rtol: 1e-6 }, 'penalty');
    const dloss = pair(Float32Array.of(-1.5), []);
    const grads = l2PenaltyBackward(params.map((p) => p.t), lambda, dloss.t);
    const eg = refL2PenaltyBackward(params.map((p) => p.r), lambda, dloss.r);
    for (let i = 0; i < params.length; i++) {
      expect(grads[i]!.shape).toEqual(shapes[i]);
      expectClose(await grads[i]!.toArray(), eg[i]!.data, { rtol: 1e-6 }, `grad ${i}`);
    }
    expect(() => l2Penalty([], 1)).toThrow(ArgumentError);
    expect(() => l2Penalty([params[0]!.t], -1)).toThrow(/lambda/);
  });
});
