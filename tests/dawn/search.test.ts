import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError, compile, defaultOptimizer, evaluate, findLr, fit, gridSearch, InMemoryDataset, kFold, Linear, randomSearch, ReLU, searchConfigs,
  seed, Sequential, SGD, crossEntropy, logUniform, type Runtime, type TrialConfig, type Tensor,
} from '../../src/index.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng, TEST_SEED } from '../helpers/random.js';

// Hyperparameter search on dawn.node (SwiftShader): trials trained concurrently, k-fold, divergence, LR finder.
let rt: Runtime;
let data: InMemoryDataset;
const FEATURES = 5, CLASSES = 3;

/** Three Gaussian blobs in 5-D: 67 samples (odd, not a multiple of any batch size used). */
function blobs(n: number, rng: Rng): InMemoryDataset {
  const x = new Float32Array(n * FEATURES), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % CLASSES;
    for (let f = 0; f < FEATURES; f++) x[i * FEATURES + f] = (f % CLASSES === y[i] ? 1.5 : 0) + (rng.next() - 0.5) * 2;
  }
  return new InMemoryDataset(x, y, { sampleShape: [FEATURES] });
}

/**
 * `base` plus a copy of every 8th sample under the next class: no weights classify it all, so the loss keeps a
 * floor and a too-large step shows as a blow-up. (On separable blobs a huge rate can drive the loss to 0 instead.)
 */
function withConflictingLabels(base: InMemoryDataset): InMemoryDataset {
  const all = base.gather(Int32Array.from({ length: base.length }, (_, i) => i));
  const copies = base.gather(Int32Array.from({ length: Math.ceil(base.length / 8) }, (_, i) => 8 * i));
  const x = new Float32Array(all.x.length + copies.x.length), y = new Int32Array(all.y.length + copies.y.length);
  x.set(all.x);
  x.set(copies.x, all.x.length);
  y.set(all.y);
  y.set(copies.y.map((c) => (c + 1) % CLASSES), all.y.length);
  return new InMemoryDataset(x, y, { sampleShape: [FEATURES] });
}

const mlpOf = (c: TrialConfig) => new Sequential(new Linear(FEATURES, Number(c.width ?? 7)), new ReLU(), new Linear(Number(c.width ?? 7), CLASSES));

beforeAll(async () => {
  rt = await testRuntime();
  data = blobs(67, new Rng(TEST_SEED));
});

describe('search on the GPU', () => {
  it('concurrent trials give the same weights, bit for bit, as the same trials one after another, in fewer submits', async () => {
    const opts = {
      space: { lr: [0.3, 0.05], optimizer: ['sgd', 'adam'], width: [7] }, model: mlpOf, data, epochs: 2, batchSize: 9,
      keepWeights: 'all' as const, seed: TEST_SEED % 1000,
    };
    let submits = rt.stats.submits;
    const one = await gridSearch({ ...opts, concurrency: 1 });
    const sequentialSubmits = rt.stats.submits - submits;
    submits = rt.stats.submits;
    const four = await gridSearch({ ...opts, concurrency: 4 });
    const concurrentSubmits = rt.stats.submits - submits;
    expect(one.memory.concurrency).toBe(1);
    expect(four.memory.concurrency).toBe(4);
    expect(four.memory.perTrialBytes).toBeGreaterThan(0);
    expect(four.memory.peakInUseBytes).toBeGreaterThanOrEqual(4 * four.memory.perTrialBytes * 0.5);
    // 4 trials × 2 epochs × ⌈54/9⌉ = 6 steps: the concurrent search submits each round's 4 steps together.
    expect(concurrentSubmits).toBeLessThan(sequentialSubmits - 30);
    const byIndex = (r: typeof one) => [...r.table].sort((a, b) => a.index - b.index);
    const a = byIndex(one), b = byIndex(four);
    expect(a).toHaveLength(4);
    for (let i = 0; i < 4; i++) {
      expect(a[i]!.weights!.length).toBeGreaterThan(0);
      expect(Buffer.from(b[i]!.weights!).equals(Buffer.from(a[i]!.weights!))).toBe(true);
      expect(b[i]!.score).toBe(a[i]!.score);
      expect(b[i]!.history).toEqual(a[i]!.history);
    }
    // Different configurations did train differently.
    expect(Buffer.from(a[0]!.weights!).equals(Buffer.from(a[1]!.weights!))).toBe(false);
    // The best trial's weights are the top row's.
    expect(Buffer.from(four.bestWeights!).equals(Buffer.from(four.table[0]!.weights!))).toBe(true);
  });

  it('k-fold scores equal the mean of the folds trained separately (fit + evaluate)', async () => {
    const k = 3, s = TEST_SEED % 1000, config: TrialConfig = { lr: 0.1, optimizer: 'momentum', width: 5 };
    const r = await searchConfigs([config], { model: mlpOf, data, folds: k, epochs: 2, evalEvery: 12, batchSize: 8, seed: s });
    // Each fold trains 45 or 44 samples: 6 batches of 8 per epoch, one validation at the end of 12 steps.
    expect(r.table[0]!.foldScores).toHaveLength(k);
    const separately: number[] = [];
    for (const f of kFold(data.length, k, s)) {
      const train = data.subset(f.train), val = data.subset(f.val);
      seed(s, rt);
      const model = mlpOf(config);
      const optimizer = defaultOptimizer(model.parameters(), config, 2 * Math.ceil(train.length / 8));
      await fit(model, train, { epochs: 2, batchSize: 8, optimizer, seed: s });
      separately.push((await evaluate(model, val, { batchSize: 256 })).accuracy);
      optimizer.dispose();
      model.dispose();
    }
    expect(r.table[0]!.foldScores).toEqual(separately);
    expect(r.table[0]!.score).toBe(separately.reduce((x, y) => x + y, 0) / k);
  });

  it('a diverging trial is reported as such, stopped, and ranked last; early stopping stops a trial that does not improve', async () => {
    const r = await gridSearch({
      space: { lr: [1e9, 0.2, 0] }, model: mlpOf, data, steps: 12, evalEvery: 3, batchSize: 8, earlyStopping: { patience: 2 }, seed: 1,
    });
    const byLr = new Map(r.table.map((t) => [t.config.lr, t]));
    const blown = byLr.get(1e9)!;
    expect(blown.status).toBe('diverged');
    expect(blown.score).toBeNaN();
    expect(blown.steps).toBeLessThan(12);
    expect(r.table[r.table.length - 1]).toBe(blown);
    expect(r.best).not.toBe(blown);
    // lr = 0: the validation accuracy never changes, so patience 2 stops it after 3 validations (9 steps).
    const frozen = byLr.get(0)!;
    expect(frozen.status).toBe('stopped-early');
    expect(frozen.steps).toBe(9);
    expect(frozen.history[0]).toHaveLength(3);
    expect(byLr.get(0.2)!.status).not.toBe('diverged');
    expect(byLr.get(0.2)!.score).toBeGreaterThan(0);
  });

  it('with k-fold, a configuration whose fold diverges stops its other folds (active ones at their next validation, queued ones never start)', async () => {
    const k = 3, steps = 12, evalEvery = 3;
    const progress: { index: number; fold: number }[] = [];
    for (const concurrency of [1, 8]) {
      progress.length = 0;
      // lr 1e9 makes step 2's loss huge but not always non-finite by step 3 (that depends on the data, drawn
      // afresh each run): divergeAbove makes fold 0's first validation the one that diverges, whatever the draw.
      const r = await gridSearch({
        space: { lr: [1e9, 0.2] }, model: mlpOf, data, folds: k, steps, evalEvery, batchSize: 8, concurrency, seed: 1, divergeAbove: 1e3,
        onProgress: (p) => progress.push({ index: p.index, fold: p.fold }),
      });
      const blown = r.table.find((t) => t.config.lr === 1e9)!, fine = r.table.find((t) => t.config.lr === 0.2)!;
      expect(blown.status).toBe('diverged');
      expect(blown.score).toBeNaN();
      expect(blown.foldScores).toHaveLength(k);
      expect(blown.foldScores.every((s) => Number.isNaN(s))).toBe(true);
      // Fold 0 diverges at its first validation (step 3). Alone (concurrency 1), folds 1 and 2 never start;
      // together, they stop at that same segment end, unvalidated: no fold of the blown configuration trains past step 3.
      expect(blown.history[0]!.length).toBe(1);
      expect(blown.history.slice(1)).toEqual([[], []]);
      expect(blown.steps).toBe(concurrency === 1 ? evalEvery : k * evalEvery);
      expect(progress.filter((p) => p.index === blown.index && p.fold > 0)).toHaveLength(0);
      // The other configuration is untouched: every fold trains its whole budget.
      expect(fine.status).not.toBe('diverged');
      expect(fine.steps).toBe(k * steps);
      expect(fine.foldScores.every((s) => s > 0)).toBe(true);
    }
  });

  it('random search ranks its trials and reports progress per validation', async () => {
    const ends: number[] = [];
    let progress = 0;
    const r = await randomSearch({
      space: { lr: logUniform(1e-3, 0.5), width: [3, 9] }, trials: 3, model: mlpOf, data, steps: 6, evalEvery: 3, batchSize: 16,
      metric: 'valLoss', seed: 5, onTrialEnd: (t) => ends.push(t.index), onProgress: () => progress++,
    });
    expect(ends.sort()).toEqual([0, 1, 2]);
    expect(progress).toBe(6);
    for (let i = 1; i < 3; i++) expect(r.table[i]!.score).toBeGreaterThanOrEqual(r.table[i - 1]!.score);
    expect(r.bestWeights!.length).toBeGreaterThan(0);
  });

  it('onProgress is awaited (a pause holds the search) and a throw from it ends the search with every trial freed', async () => {
    const base = { space: { lr: [0.3, 0.05] }, model: mlpOf, data, steps: 6, evalEvery: 3, batchSize: 16, concurrency: 2, seed: 2 } as const;
    // While the hook waits, the search submits nothing (no other trial validates, no round runs).
    const heldSubmits: number[] = [];
    let calls = 0;
    await gridSearch({
      ...base,
      onProgress: async () => {
        calls++;
        const before = rt.stats.submits;
        await new Promise((r) => setTimeout(r, 30));
        heldSubmits.push(rt.stats.submits - before);
      },
    });
    expect(calls).toBe(4); // 2 trials × 2 validations
    expect(heldSubmits).toEqual([0, 0, 0, 0]);
    // A finished search frees every trial (models, optimizers and the arenas their parameters live in); a throw
    // at the first validation rejects the search with that error and frees them all the same.
    const beforeFull = rt.memory().inUseBytes;
    await gridSearch({ ...base, keepWeights: 'none' });
    expect(rt.memory().inUseBytes - beforeFull).toBe(0);
    const inUse = rt.memory().inUseBytes;
    let ends = 0;
    await expect(gridSearch({ ...base, keepWeights: 'none', onTrialEnd: () => ends++, onProgress: () => { throw new Error('stopped by the user'); } })).rejects.toThrow('stopped by the user');
    expect(ends).toBe(0);
    expect(rt.memory().inUseBytes - inUse).toBe(0);
  });

  it('bad options get clear errors', async () => {
    const base = { space: { lr: [0.1] }, model: mlpOf, data };
    await expect(gridSearch({ ...base, concurrency: 0 })).rejects.toThrow(/concurrency must be a positive integer/);
    await expect(gridSearch({ ...base, memoryBudget: 16 })).rejects.toThrow(/over the memoryBudget/);
    await expect(gridSearch({ ...base, folds: 3, validation: data })).rejects.toThrow(ArgumentError);
    await expect(gridSearch({ ...base, space: { optimizer: ['lbfgs'] } })).rejects.toThrow(/unknown optimizer 'lbfgs'/);
  });

  it('one compiled step may not replay twice in one submitTogether', () => {
    seed(3, rt);
    const model = mlpOf({});
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const step = compile((x: Tensor, y: Tensor) => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    }, { runtime: rt, inputShapes: [[FEATURES], []] });
    const { x, y } = data.gather(Int32Array.of(0, 1, 2));
    step(x, y).dispose();
    expect(() => rt.submitTogether('test', () => {
      step(x, y).dispose();
      step(x, y).dispose();
    })).toThrow(/replayed twice in one submitTogether/);
    step.dispose();
    opt.dispose();
    model.dispose();
  });
});

describe('learning-rate finder', () => {
  it('sweeps the learning rate exponentially, stops at divergence, suggests a rate and leaves the model as it was', async () => {
    seed(TEST_SEED % 1000, rt);
    const model = mlpOf({ width: 9 });
    const before = await Promise.all([...model.stateDict().values()].map((t) => t.toArray()));
    const r = await findLr(model, withConflictingLabels(data), { minLr: 1e-4, maxLr: 1e6, steps: 60, batchSize: 16 });
    expect(r.lrs[0]).toBeCloseTo(1e-4, 12);
    for (let i = 1; i < r.lrs.length; i++) expect(r.lrs[i]! / r.lrs[i - 1]!).toBeCloseTo(10 ** (10 / 59), 9);
    expect(r.losses).toHaveLength(r.lrs.length);
    expect(r.smoothed).toHaveLength(r.lrs.length);
    // SGD with momentum blows up long before lr 1e6 (the sweep passes 1e2 at step 35 of 60).
    expect(r.diverged, `TEST_SEED=${TEST_SEED}: lrs ${r.lrs.map((v) => v.toPrecision(2)).join(' ')}, smoothed losses ${r.smoothed.map((v) => v.toPrecision(3)).join(' ')}`).toBe(true);
    expect(r.lrs.length).toBeLessThan(60);
    expect(r.suggestedLr).toBeGreaterThan(1e-4);
    expect(r.suggestedLr).toBeCloseTo(r.minLossLr / 10, 12);
    expect(r.steepestLr).toBeGreaterThan(1e-4);
    expect(r.steepestLr).toBeLessThanOrEqual(r.minLossLr);
    expect(Math.min(...r.smoothed)).toBeLessThan(r.smoothed[0]!);
    const after = await Promise.all([...model.stateDict().values()].map((t) => t.toArray()));
    expect(after).toEqual(before);
    model.dispose();
    await expect(findLr(model, data, { minLr: 1, maxLr: 0.1 })).rejects.toThrow(/0 < minLr < maxLr/);
  });
});
