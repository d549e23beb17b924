import { beforeAll, describe, expect, it } from 'vitest';
import {
  activationStats, Adam, fashionMNISTDataset, fit, lenet5, Linear, loadFashionMNIST, mlp, overfitCheck, regularizationCheck,
  initialLossCheck, SGD, seed, Sequential, stepDecay, Tanh, tensor, Flatten, loadModel, loadOptimizerState, crossEntropy, type FashionMNIST, type Runtime,
} from '../../src/index.js';
import { testRuntime } from '../helpers/gpu.js';

// The lectures' sanity checks on LeNet-5 and real Fashion-MNIST data, under Node (dawn.node).
let rt: Runtime;
let data: FashionMNIST;
beforeAll(async () => {
  rt = await testRuntime();
  data = await loadFashionMNIST({ subset: 600 });
});

function firstBatch(n: number) {
  const ds = fashionMNISTDataset(data.train);
  const { x, y } = ds.gather(Int32Array.from({ length: n }, (_, i) => i));
  return { x, y, shape: [n, 1, 28, 28] };
}

describe('sanity checks (lecture 001) on LeNet-5', () => {
  it('initial loss ≈ ln 10 with PyTorch default initialization', async () => {
    seed(1);
    const model = lenet5();
    const r = await initialLossCheck(model, firstBatch(64), 10);
    expect(r.expected).toBeCloseTo(Math.log(10), 12);
    // Default init gives near-uniform softmax: within 5% of 2.303.
    expect(r.relError).toBeLessThan(0.05);
    model.dispose();
  });

  it('raising the L2 penalty raises the loss', async () => {
    seed(2);
    const model = lenet5();
    const r = await regularizationCheck(model, firstBatch(32), [0, 1e-3, 1e-2, 1e-1, 1]);
    expect(r.increasing).toBe(true);
    model.dispose();
  });

  it('overfits 20 samples to 100% training accuracy', async () => {
    seed(3);
    const model = lenet5();
    const tiny = fashionMNISTDataset(data.train).subset(Int32Array.from({ length: 20 }, (_, i) => i));
    const opt = new Adam(model.parameters(), { lr: 3e-3 });
    const r = await overfitCheck(model, tiny, opt, { epochs: 40 });
    expect(r.accuracy).toBe(1);
    opt.dispose();
    model.dispose();
  }, 600_000);

  it('per-layer activation statistics show the lecture\'s initialization diagnosis', async () => {
    // A deep tanh MLP: 0.01·N(0,1) weights shrink activations toward 0 layer by layer; Xavier keeps them.
    const deep = (init: 'small' | 'xavier') => {
      seed(4);
      const layers = [new Flatten(), ...Array.from({ length: 6 }, (_, i) => [new Linear(i ? 128 : 784, 128, { init }), new Tanh()]).flat()];
      return new Sequential(...layers);
    };
    const x = tensor(firstBatch(64).x, [64, 1, 28, 28]);
    const small = await activationStats(deep('small'), x);
    const xavier = await activationStats(deep('xavier'), x);
    const tanhStd = (s: typeof small) => s.filter((l) => l.layer === 'Tanh').map((l) => l.std);
    const s = tanhStd(small), v = tanhStd(xavier);
    expect(s).toHaveLength(6);
    // Each layer multiplies the std by about 0.01·√128 ≈ 0.11: six layers leave ~1e-6 of it.
    expect(s[5]!).toBeLessThan(1e-4);
    for (let i = 1; i < 6; i++) expect(s[i]! / s[i - 1]!).toBeLessThan(0.2);
    expect(v[5]!).toBeGreaterThan(0.1);
    x.dispose();
  });

  it('activation statistics see each layer unfused even after the model ran with fused activations', async () => {
    // A forward with fusion on gives the Linear its Tanh epilogue; activationStats must not report tanh(z) as the
    // Linear's output (and tanh(tanh(z)) as the Tanh's).
    const model = () => {
      seed(6);
      return new Sequential(new Flatten(), new Linear(784, 16, { init: 'he' }), new Tanh(), new Linear(16, 10));
    };
    const x = tensor(firstBatch(8).x, [8, 1, 28, 28]);
    const fresh = await activationStats(model(), x);
    const used = model();
    used.forward(x).dispose();
    const after = await activationStats(used, x);
    expect(after.map((l) => l.layer)).toEqual(['Flatten', 'Linear', 'Tanh', 'Linear']);
    after.forEach((l, i) => {
      expect(l.mean).toBeCloseTo(fresh[i]!.mean, 5);
      expect(l.std).toBeCloseTo(fresh[i]!.std, 5);
    });
    // He-initialized pre-activations on normalized images spread well past ±1.
    expect(after[1]!.std).toBeGreaterThan(1);
    x.dispose();
  });
});

describe('early stopping', () => {
  it('stops when validation accuracy stops improving and restores the best epoch\'s weights', async () => {
    seed(5);
    const model = mlp([784, 32, 10]);
    const all = fashionMNISTDataset(data.train);
    const train = all.subset(Int32Array.from({ length: 320 }, (_, i) => i));
    const val = all.subset(Int32Array.from({ length: 200 }, (_, i) => 320 + i));
    // A learning rate that explodes after two epochs makes later epochs worse than the best one.
    const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }, );
    opt.schedule = stepDecay(10, 1e4);
    const perEpoch: Float32Array[][] = [];
    const result = await fit(model, train, {
      epochs: 8, batchSize: 32, optimizer: opt, validation: val, seed: 1,
      earlyStopping: { patience: 2, monitor: 'valAcc' },
      callbacks: { onEpochEnd: async () => void perEpoch.push(await Promise.all(model.parameters().map((p) => p.toArray() as Promise<Float32Array>))) },
    });
    expect(result.stoppedEarly).toBe(true);
    const accs = result.history.map((h) => h.valAcc!);
    const best = accs.indexOf(Math.max(...accs)) + 1;
    expect(result.bestEpoch).toBe(best);
    expect(best).toBeLessThan(result.history.length);
    const final = await Promise.all(model.parameters().map((p) => p.toArray()));
    final.forEach((f, i) => expect(Array.from(f)).toEqual(Array.from(perEpoch[best - 1]![i]!)));
    opt.dispose();
    model.dispose();
  });

  it('checkpoints hold weights and optimizer state: a model resumed from one steps exactly like the original', async () => {
    seed(6);
    const all = fashionMNISTDataset(data.train);
    const train = all.subset(Int32Array.from({ length: 128 }, (_, i) => i));
    const val = all.subset(Int32Array.from({ length: 64 }, (_, i) => 128 + i));
    const model = mlp([784, 16, 10]);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const saved: { epoch: number; bytes: Uint8Array }[] = [];
    const best: number[] = [];
    await fit(model, train, {
      epochs: 3, batchSize: 32, optimizer: opt, validation: val, seed: 2,
      checkpoints: { save: (bytes, { epoch }) => void saved.push({ epoch, bytes }) },
    });
    expect(saved.map((c) => c.epoch)).toEqual([1, 2, 3]);
    await fit(model, train, {
      epochs: 3, batchSize: 32, optimizer: opt, validation: val, seed: 2,
      checkpoints: { bestOnly: true, monitor: 'valLoss', save: (_, { epoch, metrics }) => void best.push(epoch, metrics.valLoss!) },
    });
    // bestOnly: epoch 1 always, later ones only on a new lowest validation loss.
    expect(best[0]).toBe(1);
    for (let k = 3; k < best.length; k += 2) expect(best[k]!).toBeLessThan(best[k - 2]!);

    // Resume from the last checkpoint of the first run... which the second run has moved on from: load it
    // into both the original (rewinding it) and a fresh model, then take one identical step with each.
    const last = saved[2]!.bytes;
    const fresh = mlp([784, 16, 10]);
    const freshOpt = new Adam(fresh.parameters(), { lr: 1e-3 });
    for (const [m, o] of [[model, opt], [fresh, freshOpt]] as const) {
      const { optimizerState, metadata } = loadModel(m, last);
      expect(metadata.epoch).toBe('3');
      loadOptimizerState(o, optimizerState);
      expect(o.stepCount).toBe(12);
    }
    const { x, y, shape } = firstBatch(32);
    for (const [m, o] of [[model, opt], [fresh, freshOpt]] as const) {
      o.zeroGrad();
      crossEntropy(m.forward(tensor(x, shape)), tensor(y, [32], 'i32')).backward();
      o.step();
    }
    const a = await Promise.all(model.parameters().map((p) => p.toArray()));
    const b = await Promise.all(fresh.parameters().map((p) => p.toArray()));
    a.forEach((v, i) => expect(Array.from(b[i]!)).toEqual(Array.from(v)));
    for (const o of [opt, freshOpt]) o.dispose();
    for (const m of [model, fresh]) m.dispose();
  });
});
