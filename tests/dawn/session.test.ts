import { beforeAll, describe, expect, it } from 'vitest';
import { Trainer, type StepReport } from '../../app/session/trainer.js';
import {
  compile, decodeSafetensors, Dropout, InMemoryDataset, mul, SGD, sum, tensor, type Runtime, type Tensor,
} from '../../src/index.js';
import { optimizerStateTensors } from '../../src/io/optimizer-state.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

// The session module's trainer (app/session/), the live setters behind it (Optimizer.setHyperparameters, a
// settable Dropout.p), all checked on replays of one compiled step: nothing may re-trace.
let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

/** Three well-separated classes of 1×4×4 "images": class k has its mean at +2 on pixels ≡ k (mod 3), noise 0.5. */
function blobs(rng: Rng, n: number): InMemoryDataset {
  const x = new Float32Array(n * 16), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < 16; j++) x[i * 16 + j] = (j % 3 === y[i] ? 2 : 0) + 0.5 * rng.normal(1)[0]!;
  }
  return new InMemoryDataset(x, y, { sampleShape: [1, 4, 4] });
}

const input = { channels: 1, size: 4, classes: 3 };

describe('Trainer', () => {
  it('steps batch by batch, reports losses and epochs, and learns', async () => {
    const rng = new Rng();
    const steps: StepReport[] = [];
    const epochs: number[] = [];
    const t = new Trainer({ model: 'mlp', hidden: [9], optimizer: 'sgd', lr: 0.3, batchSize: 17, epochs: 3, subset: 0, valFraction: 0.2, seed: rng.int(1, 0, 1000)[0]! }, blobs(rng, 101), {
      input, lossEvery: 1, stats: { bins: 5 }, onStep: (s) => steps.push(s), onEpoch: (e) => void epochs.push(e.epoch),
    });
    try {
      expect(t.train.length).toBe(81);
      expect(t.val!.length).toBe(20);
      expect(t.stepsPerEpoch).toBe(5);
      expect(await t.stepBatches(2)).toBeNull();
      await t.flush();
      expect(steps.map((s) => [s.step, s.epoch, s.batch, s.batches])).toEqual([[1, 1, 1, 5], [2, 1, 2, 5]]);
      expect(steps.every((s) => Number.isFinite(s.loss) && s.loss > 0 && s.lr === 0.3)).toBe(true);
      expect(await t.readStats()).toBeNull();
      t.requestStats();
      // The rest of epoch 1 stops at its end (not 10 batches), and validates.
      const e1 = await t.stepBatches(10);
      expect(e1?.epoch).toBe(1);
      const stats = (await t.readStats())!;
      expect(stats.step).toBe(3);
      expect(stats.layers.map((l) => l.label)).toEqual(['0 Flatten', '1 Linear+ReLU', '3 Linear']);
      expect(stats.layers[1]!.count).toBe(17 * 9);
      expect(stats.parameters.map((p) => p.name)).toEqual(['1.weight', '1.bias', '3.weight', '3.bias']);
      expect(stats.parameters.every((p) => p.grad.norm > 0 && p.updateRatio > 0)).toBe(true);
      const summary = t.summary();
      expect(summary.layers.map((l) => l.outputShape)).toEqual([[17, 16], [17, 9], [17, 9], [17, 3]]);
      expect(summary.step!.dispatches).toBe(t.step.dispatches());
      expect(t.stepCount).toBe(5);
      expect(Number.isFinite(e1!.valLoss) && e1!.valAcc >= 0 && e1!.valAcc <= 1).toBe(true);
      const history = await t.run();
      expect(history.map((e) => e.epoch)).toEqual([1, 2, 3]);
      expect(epochs).toEqual([1, 2, 3]);
      expect(t.done).toBe(true);
      expect(await t.stepBatches(1)).toBeNull();
      expect(history[2]!.trainLoss).toBeLessThan(history[0]!.trainLoss);
      // Chance is 1/3. At lr 0.1, 15 SGD steps left some inits at 0.7–0.9 (TEST_SEED=66, 321); 0.3 learns the blobs.
      expect(history[2]!.valAcc).toBeGreaterThanOrEqual(0.9);
      // One plan for the full batches, one for the last (81 = 4 × 17 + 13).
      expect(t.step.plans).toBe(2);
    } finally {
      t.dispose();
    }
  });

  it('gives back every buffer when disposed (model, optimizer and the arena its parameters live in)', async () => {
    const rng = new Rng();
    const make = () => new Trainer({ model: 'mlp', hidden: [9], optimizer: 'adam', batchSize: 17, epochs: 1, subset: 0, valFraction: 0.2, seed: 1 }, blobs(rng, 40), { input, stats: true });
    const warm = make();   // pipelines, uniforms and the step-fault record are made once per runtime
    await warm.stepBatches(1);
    await warm.flush();
    warm.dispose();
    const before = rt.memory().inUseBytes;
    for (let i = 0; i < 3; i++) {
      const t = make();
      await t.stepBatches(2);
      await t.flush();
      t.dispose();
    }
    expect(rt.memory().inUseBytes - before).toBe(0);
  });

  it('changes lr, l2, momentum and dropout live, on the same compiled step, and refuses what needs a new session', async () => {
    const rng = new Rng();
    const t = new Trainer({ model: 'mlp', hidden: [7], dropout: 0.3, optimizer: 'momentum', lr: 0.05, momentum: 0.9, batchSize: 8, epochs: 1, subset: 0, valFraction: 0 }, blobs(rng, 40), { input });
    try {
      await t.stepBatches(2);
      const params = async () => Promise.all(t.model.parameters().map((p) => p.toArray()));
      const dispatches = t.step.dispatches();
      expect(t.apply({ lr: 0, l2: 0.01, momentum: 0 , dropout: 0.5 })).toEqual([]);
      // With lr 0 (and momentum 0: no buffer carried over) a replay leaves every parameter as it was.
      const before = await params();
      await t.stepBatches(1);
      expect(await params()).toEqual(before);
      t.setLr(0.05);
      await t.stepBatches(1);
      expect(await params()).not.toEqual(before);
      expect(t.step.plans).toBe(1);
      expect(t.step.dispatches()).toBe(dispatches);
      expect(t.options).toMatchObject({ lr: 0.05, l2: 0.01, momentum: 0, dropout: 0.5 });
      // batchSize alone re-plans in place (setBatchSize); with a model change nothing is applied.
      expect(t.apply({ batchSize: 16, hidden: [8] })).toEqual(['hidden']);
      expect(t.options.batchSize).toBe(8);
      const ck = decodeSafetensors(await t.checkpoint({ note: 'test' }));
      expect([...ck.tensors.keys()]).toEqual(expect.arrayContaining(['1.weight', '1.bias', '4.weight', 'optimizer.state.0.momentum_buffer']));
      expect(ck.metadata).toMatchObject({ model: 'mlp', note: 'test' });
    } finally {
      t.dispose();
    }
    const plain = new Trainer({ model: 'mlp', hidden: [7], optimizer: 'sgd', momentum: 0, batchSize: 8, subset: 0, valFraction: 0 }, blobs(rng, 16), { input });
    try {
      expect(() => plain.setDropout(0.2)).toThrow(/built without dropout layers/);
      expect(() => plain.setMomentum(0.5)).toThrow(/sgd has no momentum to set/);
    } finally {
      plain.dispose();
    }
  });

  it('re-plans for a new batch size mid-epoch with the same weights and optimizer state, and continues the epoch', async () => {
    const rng = new Rng();
    const t = new Trainer({ model: 'mlp', hidden: [9], optimizer: 'adam', lr: 0.01, batchSize: 8, epochs: 3, subset: 0, valFraction: 0 }, blobs(rng, 40), { input, lossEvery: 1, onStep: (s) => steps.push(s) });
    const steps: StepReport[] = [];
    const state = async () => {
      const opt = optimizerStateTensors(t.optimizer);
      try {
        return await Promise.all([...t.model.parameters(), ...opt.tensors.values()].map((p) => p.toArray()));
      } finally {
        opt.dispose();
      }
    };
    try {
      await t.stepBatches(2);
      await t.flush();
      const before = await state();
      expect(before.length).toBe(4 + 3 * 4);   // 4 parameters; Adam's two moments and step count of each
      t.setBatchSize(12);
      expect(await state()).toEqual(before);
      expect([t.options.batchSize, t.stepsPerEpoch, t.stepCount, t.optimizer.stepCount, t.step.plans]).toEqual([12, 4, 2, 2, 0]);
      // Epoch 1 has 24 samples left: 2 batches of 12; then 2 epochs of 4 (40 = 3 × 12 + 4).
      expect(t.stepsLeft).toBe(2 + 2 * 4);
      const e1 = await t.stepBatches(10);
      expect(e1?.epoch).toBe(1);
      expect(steps.map((s) => [s.step, s.epoch, s.batch, s.batches])).toEqual([[1, 1, 1, 5], [2, 1, 2, 5], [3, 1, 3, 4], [4, 1, 4, 4]]);
      expect(t.summary().layers[1]!.outputShape).toEqual([12, 9]);
      expect(await state()).not.toEqual(before);
      const history = await t.run();
      expect(history.map((e) => e.epoch)).toEqual([1, 2, 3]);
      expect([t.stepCount, t.optimizer.stepCount, t.stepsLeft, t.step.plans]).toEqual([12, 12, 0, 2]);
      expect(steps.every((s) => Number.isFinite(s.loss))).toBe(true);
      expect(history[2]!.trainLoss).toBeLessThan(history[0]!.trainLoss);
      // Through apply (the Studio's path): batch size only is not a new session.
      expect(t.apply({ batchSize: 5 })).toEqual([]);
      expect(t.stepsPerEpoch).toBe(8);
    } finally {
      t.dispose();
    }
  });

  it('setBatchSize gives the old batch size\'s plans back', async () => {
    const rng = new Rng();
    const t = new Trainer({ model: 'mlp', hidden: [9], optimizer: 'sgd', batchSize: 8, epochs: 2, subset: 0, valFraction: 0 }, blobs(rng, 32), { input });
    try {
      await t.stepBatches(1);
      await t.flush();
      const held = rt.memory().inUseBytes;
      t.setBatchSize(16);
      await t.stepBatches(1);
      t.setBatchSize(8);
      await t.stepBatches(1);
      await t.flush();
      expect(t.step.plans).toBe(1);
      expect(rt.memory().inUseBytes).toBe(held);
    } finally {
      t.dispose();
    }
  });
});

describe('live hyperparameters inside a compiled step', () => {
  it('SGD momentum and weight decay set between replays match the float64 update rule', async () => {
    const rng = new Rng();
    const n = 5;
    const w0 = Array.from(rng.normal(n)), c = Array.from(rng.normal(n));
    const w = tensor(Float32Array.from(w0), [n]);
    w.requireGrad(true);
    const ct = tensor(Float32Array.from(c), [n]);
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    // loss = Σ w·c, so dloss/dw = c.
    const step = compile(() => {
      opt.zeroGrad();
      const loss = sum(mul(w, ct));
      loss.backward();
      opt.step();
      return loss;
    });
    const ref = Float64Array.from(w0), buf = new Float64Array(n);
    const refStep = (first: boolean, m: number, wd: number) => {
      for (let i = 0; i < n; i++) {
        const g = c[i]! + wd * ref[i]!;
        buf[i] = first ? g : m * buf[i]! + g;
        ref[i]! -= 0.1 * buf[i]!;
      }
    };
    try {
      for (let s = 0; s < 4; s++) {
        const m = s < 2 ? 0.9 : 0.5, wd = s < 2 ? 0 : 0.2;
        opt.setHyperparameters({ momentum: m, weightDecay: wd });
        (step() as Tensor).dispose();
        refStep(s === 0, m, wd);
      }
      expect(step.plans).toBe(1);
      const got = await w.toArray();
      // f32 arithmetic over 4 steps of O(1) values: 1e-5 absolute.
      for (let i = 0; i < n; i++) expect(Math.abs(got[i]! - ref[i]!), `w[${i}]`).toBeLessThan(1e-5);
      expect(() => new SGD([tensor(Float32Array.of(1), [1])], { lr: 0.1 }).setHyperparameters({ momentum: 0.5 })).toThrow(/built without momentum/);
    } finally {
      step.dispose();
      opt.dispose();
    }
  });

  it('Dropout.p set between replays takes effect without a new trace', async () => {
    const n = 4099;
    const layer = new Dropout(0.5, { seed: 3 });
    const fwd = compile((x: Tensor) => layer.forward(x));
    const x = tensor(new Float32Array(n).fill(1), [n]);
    const run = async () => {
      const y = fwd(x) as Tensor;
      const v = await y.toArray();
      y.dispose();
      return v;
    };
    const share = (v: ArrayLike<number>, value: number) => Array.from(v).filter((e) => e === value).length / n;
    try {
      let v = await run();
      expect(share(v, 0) + share(v, 2)).toBe(1);
      expect(Math.abs(share(v, 0) - 0.5)).toBeLessThan(0.05);
      layer.p = 0;
      expect(share(await run(), 1)).toBe(1);
      layer.p = 1;
      expect(share(await run(), 0)).toBe(1);
      layer.p = 0.2;
      v = await run();
      expect(share(v, 0) + share(v, 1.25)).toBe(1);
      expect(Math.abs(share(v, 0) - 0.2)).toBeLessThan(0.04);
      expect(fwd.plans).toBe(1);
      expect(() => (layer.p = 1.5)).toThrow(/p must be in \[0, 1\]/);
    } finally {
      fwd.dispose();
      layer.dispose();
    }
  });
});
