import { beforeAll, describe, expect, it } from 'vitest';
import { tensor, type Runtime } from '../../src/index.js';
import { accumulateClassification } from '../../src/ops/metrics.js';
import { refArgmax, refClassificationBatch } from '../../src/reference/metrics.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});


describe('accumulateClassification (fit and evaluate metrics in one dispatch)', () => {
  it('adds loss·N and the argmax hits of several batches into the running sums, exactly', async () => {
    const rng = new Rng();
    const lossSum = tensor(Float32Array.of(0.5)), correct = tensor(Float32Array.of(3));
    let wantLoss = 0.5, wantCorrect = 3;
    // Rows beyond one workgroup's 256 threads, odd class counts, 1 class, ties and NaN rows.
    for (const [rows, classes] of [[1, 1], [7, 3], [300, 10], [513, 17]] as const) {
      const logits = rng.uniform(rows * classes).map((v) => Math.round(v * 4) / 4); // coarse values: many ties
      if (rows > 7) {
        logits[3 * classes + (classes > 2 ? 2 : 0)] = NaN;
        logits[5 * classes + classes - 1] = NaN;
      }
      const labels = Int32Array.from({ length: rows }, (_, r) => (r % 5 === 0 ? refArgmax(logits.subarray(r * classes, (r + 1) * classes)) : rng.int(1, 0, classes)[0]!));
      if (rows > 7) labels[6] = -1; // out of range: a miss
      const loss = rng.uniform(1, 0, 3);
      accumulateClassification(tensor(loss), tensor(logits, [rows, classes]), tensor(labels), lossSum, correct);
      const want = refClassificationBatch(loss[0]!, logits, labels, classes);
      wantLoss = Math.fround(wantLoss + Math.fround(want.lossSum));
      wantCorrect += want.correct;
    }
    expect((await correct.toArray())[0]).toBe(wantCorrect);
    // loss·N + sum: one fused or two separate roundings per batch.
    expect(Math.abs((await lossSum.toArray())[0]! - wantLoss)).toBeLessThanOrEqual(8 * 2 ** -24 * wantLoss);
  });

  it('stacked batches (a search\'s trials, one set of labels): batch t adds into sums[t] exactly as it would alone', async () => {
    const rng = new Rng();
    const T = 3, rows = 301, classes = 7;
    const logits = rng.uniform(T * rows * classes).map((v) => Math.round(v * 4) / 4);
    const labels = Int32Array.from({ length: rows }, () => rng.int(1, 0, classes)[0]!);
    const losses = rng.uniform(T, 0, 3);
    const lossSum = tensor(Float32Array.of(0.25, 1, 2)), correct = tensor(Float32Array.of(1, 2, 3));
    accumulateClassification(tensor(losses), tensor(logits, [T * rows, classes]), tensor(labels), lossSum, correct);
    const sums = await lossSum.toArray(), hits = await correct.toArray();
    for (let t = 0; t < T; t++) {
      const ls = tensor(Float32Array.of([0.25, 1, 2][t]!)), cs = tensor(Float32Array.of(t + 1));
      accumulateClassification(tensor(losses.slice(t, t + 1)), tensor(logits.slice(t * rows * classes, (t + 1) * rows * classes), [rows, classes]), tensor(labels), ls, cs);
      expect(sums[t]).toBe((await ls.toArray())[0]);
      expect(hits[t]).toBe((await cs.toArray())[0]);
    }
  });

  it('checks shapes and dtypes before any GPU work', () => {
    const logits = tensor(new Float32Array(6), [2, 3]), labels = tensor(Int32Array.of(0, 1)), loss = tensor(Float32Array.of(1));
    const a = tensor(Float32Array.of(0)), b = tensor(Float32Array.of(0));
    const threeLabels = tensor(Int32Array.of(0, 1, 2)), floatLabels = tensor(Float32Array.of(0, 1)), twoLosses = tensor(new Float32Array(2));
    const threeLosses = tensor(new Float32Array(3)), oneLabel = tensor(Int32Array.of(0));
    // (The test runtime poisons every new buffer with a fill dispatch: all tensors exist before counting.)
    const before = rt.stats.dispatches;
    expect(() => accumulateClassification(loss, logits, threeLabels, a, b)).toThrow(/labels must be \[N\] = \[2\]/);
    expect(() => accumulateClassification(loss, logits, floatLabels, a, b)).toThrow(/labels must be i32 or u32/);
    // One loss per stacked batch: 3 losses cannot split 2 rows; 2 batches need 2-element sums.
    expect(() => accumulateClassification(threeLosses, logits, labels, a, b)).toThrow(/rows are not 3 stacked batches/);
    expect(() => accumulateClassification(twoLosses, logits, oneLabel, a, b)).toThrow(/lossSum must have one element per loss value \(2\)/);
    expect(() => accumulateClassification(loss, logits, labels, a, a)).toThrow(/must be different tensors/);
    expect(rt.stats.dispatches).toBe(before);
  });
});
