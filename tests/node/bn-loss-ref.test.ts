import { describe, expect, it } from 'vitest';
import { refBatchNormBackward, refBatchNormEval, refBatchNormTrain } from '../../src/reference/batchnorm.js';
import {
  refBceWithLogits, refBceWithLogitsBackward, refL2Penalty, refL2PenaltyBackward, refMse, refMseBackward,
  refSoftmaxCrossEntropy, refSoftmaxCrossEntropyBackward, type RefReduction,
} from '../../src/reference/loss.js';
import { ref, type RefTensor } from '../../src/reference/ref-tensor.js';
import { expectClose } from '../helpers/compare.js';
import { Rng } from '../helpers/random.js';
import { centralDifferences } from '../helpers/finite-diff.js';

const rng = new Rng();
const randRef = (shape: number[], scale = 1, offset = 0): RefTensor => {
  const n = shape.reduce((a, d) => a * d, 1);
  return ref(Array.from(rng.normal(n), (v) => offset + scale * v), shape);
};

/** Relative error ‖analytic − numeric‖∞ / ‖numeric‖∞ ≤ 1e-6 (per-element relative error is ill-posed near zero). */
function expectGradient(analytic: ArrayLike<number>, numeric: Float64Array, what: string): void {
  let err = 0, norm = 0;
  for (let i = 0; i < numeric.length; i++) {
    err = Math.max(err, Math.abs(analytic[i]! - numeric[i]!));
    norm = Math.max(norm, Math.abs(numeric[i]!));
  }
  expect(norm, `${what}: the numeric gradient is zero, the check would prove nothing`).toBeGreaterThan(0);
  expect(err / norm, what).toBeLessThanOrEqual(1e-6);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

describe('batch norm reference', () => {
  it('matches hand-computed values for one channel [4, 1] (train, running stats, eval)', () => {
    const x = ref([1, 2, 3, 4], [4, 1]);
    const r = refBatchNormTrain(x, ref([2], [1]), ref([1], [1]), ref([0], [1]), ref([1], [1]));
    // μ = 2.5, biased σ² = 1.25, invstd = 1/√1.25001 = 0.894423613312618.
    expectClose(r.saveMean.data, [2.5], { rtol: 1e-15 }, 'mean');
    expectClose(r.saveInvstd.data, [0.894423613312618], { rtol: 1e-14 }, 'invstd');
    expectClose(r.y.data, [-1.5, -0.5, 0.5, 1.5].map((d) => 2 * d * 0.894423613312618 + 1), { rtol: 1e-14 }, 'y');
    // running_mean = 0.9·0 + 0.1·2.5; running_var = 0.9·1 + 0.1·(5/3) (unbiased: 1.25·4/3).
    expectClose(r.runningMean!.data, [0.25], { rtol: 1e-15 }, 'running mean');
    expectClose(r.runningVar!.data, [0.9 + 0.1 * (5 / 3)], { rtol: 1e-15 }, 'running var');
    const e = refBatchNormEval(ref([3], [1, 1]), ref([2], [1]), ref([1], [1]), ref([1], [1]), ref([4], [1]), { relu: true });
    expectClose(e.data, [2 * (2 / Math.sqrt(4 + 1e-5)) + 1], { rtol: 1e-15 }, 'eval');
  });

  it('normalises each channel over N and L for [N, C, L], like BatchNorm on the [N·L, C] layout', () => {
    const [n, c, l] = [3, 4, 5];
    const x = randRef([n, c, l], 2, 3);
    const flat = ref(Array.from({ length: n * l * c }, (_, k) => {
      const ch = k % c, row = Math.floor(k / c);
      return x.data[(Math.floor(row / l) * c + ch) * l + (row % l)]!;
    }), [n * l, c]);
    const a = refBatchNormTrain(x, null, null, null, null);
    const b = refBatchNormTrain(flat, null, null, null, null);
    expectClose(a.saveMean.data, b.saveMean.data, { rtol: 1e-13 }, 'mean');
    expectClose(a.saveInvstd.data, b.saveInvstd.data, { rtol: 1e-12 }, 'invstd');
    // Textbook property: each output channel has mean 0 and biased variance σ²/(σ² + ε).
    for (let ch = 0; ch < c; ch++) {
      const ys: number[] = [];
      for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) ys.push(a.y.data[(i * c + ch) * l + j]!);
      const m = ys.reduce((s, v) => s + v, 0) / ys.length;
      const v = ys.reduce((s, y) => s + (y - m) ** 2, 0) / ys.length;
      const sigma2 = 1 / a.saveInvstd.data[ch]! ** 2 - 1e-5;
      expect(Math.abs(m)).toBeLessThan(1e-13);
      expect(Math.abs(v - sigma2 / (sigma2 + 1e-5))).toBeLessThan(1e-12);
    }
  });

  for (const [shape, affine, relu] of [[[3, 2, 2, 3], true, false], [[3, 2, 2, 3], true, true], [[5, 3], false, false], [[2, 3, 4], true, true]] as const) {
    it(`backward matches central differences: [${shape}], affine ${affine}, relu ${relu}`, () => {
      const x = randRef([...shape]);
      const c = shape[1];
      const gamma = affine ? randRef([c], 0.5, 1) : null;
      const beta = affine ? randRef([c]) : null;
      const w = randRef([...shape]);
      const loss = () => dot(w.data, refBatchNormTrain(x, gamma, beta, null, null, { relu }).y.data);
      const f = refBatchNormTrain(x, gamma, beta, null, null, { relu });
      const g = refBatchNormBackward(w, x, gamma, f.saveMean, f.saveInvstd, { y: f.y, relu });
      expectGradient(g.dx.data, centralDifferences(loss, x.data), 'dx');
      if (gamma && beta) {
        expectGradient(g.dgamma.data, centralDifferences(loss, gamma.data), 'dgamma');
        expectGradient(g.dbeta.data, centralDifferences(loss, beta.data), 'dbeta');
      }
    });
  }
});

describe('loss references', () => {
  it('cross-entropy matches hand-computed values', () => {
    // The lecture's cat/car/frog scores, true class cat: p = 0.12998, −ln p = 2.04036. (The slide's 0.89 is −log₁₀ p.)
    expectClose(refSoftmaxCrossEntropy(ref([3.2, 5.1, -1.7], [1, 3]), [0]).data, [2.04035515280017], { rtol: 1e-14 }, 'lecture example');
    // Sanity check from the lecture: equal scores give ln C.
    expectClose(refSoftmaxCrossEntropy(ref(new Array(20).fill(0), [2, 10]), [3, 7]).data, [Math.log(10)], { rtol: 1e-15 }, 'ln C');
    // ε = 0.1, C = 3: q = (1/30, 1/30, 0.9 + 1/30); loss = logsumexp(1, 2, 3) − Σ q·z = 0.50760596444438.
    expectClose(refSoftmaxCrossEntropy(ref([1, 2, 3], [1, 3]), [2], { labelSmoothing: 0.1 }).data, [0.5076059644443802], { rtol: 1e-14 }, 'smoothing');
    // Shifting the logits changes nothing, even by 1000 (e^1000 overflows float64).
    expectClose(refSoftmaxCrossEntropy(ref([1000, 1001, 1002], [1, 3]), [0]).data, refSoftmaxCrossEntropy(ref([0, 1, 2], [1, 3]), [0]).data, { rtol: 1e-12 }, 'shift');
    const none = refSoftmaxCrossEntropy(ref([0, 0, 5, 0], [2, 2]), [1, 0], { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    expectClose(none.data, [Math.log(2), Math.log1p(Math.exp(-5))], { rtol: 1e-14 }, 'none');
  });

  it('BCE with logits, MSE and the L2 penalty match hand-computed values', () => {
    expectClose(refBceWithLogits(ref([0, 0], [2]), ref([0, 1], [2])).data, [Math.log(2)], { rtol: 1e-15 }, 'bce at 0');
    // log(1 + e^(−2)) = 0.1269280110429725; z = −100, y = 1 costs 100 (no overflow, no log(0)).
    expectClose(refBceWithLogits(ref([2, -100], [2]), ref([1, 1], [2]), { reduction: 'none' }).data, [0.1269280110429725, 100], { rtol: 1e-14 }, 'bce');
    expectClose(refMse(ref([1, 2, 3], [3]), ref([1, 1, 1], [3])).data, [5 / 3], { rtol: 1e-15 }, 'mse mean');
    expectClose(refMse(ref([1, 2, 3], [3]), ref([1, 1, 1], [3]), { reduction: 'sum' }).data, [5], { rtol: 0 }, 'mse sum');
    // R(W) = λ·Σw² = 0.5·(1 + 4 + 9), ∂R/∂W = 2λW = W.
    expectClose(refL2Penalty([ref([1, 2], [2]), ref([3], [1])], 0.5).data, [7], { rtol: 0 }, 'l2');
    expectClose(refL2PenaltyBackward([ref([1, -2], [2])], 0.5)[0]!.data, [1, -2], { rtol: 0 }, 'l2 grad');
  });

  const reductions: RefReduction[] = ['mean', 'sum', 'none'];
  /** The scalar whose gradient a backward with upstream dloss computes: dloss·L, or Σ dloss_i·L_i for 'none'. */
  const objective = (loss: RefTensor, dloss: RefTensor) => dot(loss.data, dloss.data);

  for (const reduction of reductions) {
    it(`cross-entropy backward matches central differences (${reduction}, with and without smoothing)`, () => {
      const [n, c] = [4, 5];
      const logits = randRef([n, c], 2);
      const labels = Array.from(rng.int(n, 0, c));
      const dloss = randRef(reduction === 'none' ? [n] : []);
      for (const labelSmoothing of [0, 0.1]) {
        const opts = { reduction, labelSmoothing };
        const g = refSoftmaxCrossEntropyBackward(logits, labels, dloss, opts);
        expectGradient(g.data, centralDifferences(() => objective(refSoftmaxCrossEntropy(logits, labels, opts), dloss), logits.data), `ε = ${labelSmoothing}`);
      }
    });

    it(`BCE-with-logits and MSE backward match central differences (${reduction})`, () => {
      const shape = [3, 4];
      const z = randRef(shape, 3);
      const t = ref(rng.uniform(12, 0, 1), shape);
      const dloss = randRef(reduction === 'none' ? shape : []);
      expectGradient(refBceWithLogitsBackward(z, t, dloss, { reduction }).data, centralDifferences(() => objective(refBceWithLogits(z, t, { reduction }), dloss), z.data), 'bce');
      expectGradient(refMseBackward(z, t, dloss, { reduction }).data, centralDifferences(() => objective(refMse(z, t, { reduction }), dloss), z.data), 'mse');
    });
  }

  it('L2 penalty backward matches central differences for every parameter', () => {
    const params = [randRef([3, 2]), randRef([4])];
    const dloss = randRef([]);
    const grads = refL2PenaltyBackward(params, 0.3, dloss);
    params.forEach((w, i) => {
      expectGradient(grads[i]!.data, centralDifferences(() => objective(refL2Penalty(params, 0.3), dloss), w.data), `params[${i}]`);
    });
  });
});
