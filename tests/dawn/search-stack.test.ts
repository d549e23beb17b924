import { beforeAll, describe, expect, it } from 'vitest';
import {
  AvgPool2d, Conv2d, Dropout, Flatten, gridSearch, searchConfigs, InMemoryDataset, LeakyReLU, lenet5, Linear, MaxPool2d, ReLU, Sequential, Tanh, type Runtime, type SearchResult, type TrialConfig,
} from '../../src/index.js';
import { maxStackTrials, stackLayers } from '../../src/search/stack-model.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng, TEST_SEED } from '../helpers/random.js';

// A search's trials trained as one stacked model (src/search/trial-stack.ts) against the same trials each
// with its own compiled step (stack: false, itself equal to one after another: search.test.ts): weights,
// scores and every validation's numbers bit for bit, for convolutional and fully connected models, per-trial
// learning rates, weight decay and schedules, a diverging trial and early stopping inside a stack. Every
// optimizer rule of the stacked update: tests/browser/stack-optimizer.test.ts.
let rt: Runtime;
let images: InMemoryDataset;
const CLASSES = 3, SIDE = 10;

/** 43 images [2, 10, 10] (odd count: the last batch is short), class-dependent blobs plus noise. */
function imageData(n: number, rng: Rng): InMemoryDataset {
  const per = 2 * SIDE * SIDE, x = new Float32Array(n * per), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % CLASSES;
    for (let j = 0; j < per; j++) {
      const row = Math.floor((j % (SIDE * SIDE)) / SIDE);
      x[i * per + j] = (Math.floor(row / 4) === y[i] ? 1 : 0) + (rng.next() - 0.5);
    }
  }
  return new InMemoryDataset(x, y, { sampleShape: [2, SIDE, SIDE] });
}

/** Conv(2→4, 3, pad 1)+ReLU → max pool → Conv(4→6, 3)+Tanh → avg pool → Flatten → Linear+LeakyReLU → Linear. */
const cnn = (c: TrialConfig) => new Sequential(
  new Conv2d(2, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2),
  new Conv2d(4, 6, 3), new Tanh(), new AvgPool2d(2),
  new Flatten(), new Linear(6, Number(c.width ?? 9)), new LeakyReLU(0.1), new Linear(Number(c.width ?? 9), CLASSES),
);

beforeAll(async () => {
  rt = await testRuntime();
  images = imageData(43, new Rng(TEST_SEED));
});

const byIndex = (r: SearchResult) => [...r.table].sort((a, b) => a.index - b.index);

function expectSame(stacked: SearchResult, alone: SearchResult): void {
  const a = byIndex(alone), b = byIndex(stacked);
  expect(b.length).toBe(a.length);
  for (let i = 0; i < a.length; i++) {
    expect(b[i]!.status).toBe(a[i]!.status);
    expect(b[i]!.history).toEqual(a[i]!.history);
    expect(Object.is(b[i]!.score, a[i]!.score)).toBe(true);
    if (a[i]!.weights) expect(Buffer.from(b[i]!.weights!).equals(Buffer.from(a[i]!.weights!))).toBe(true);
    else expect(b[i]!.weights).toBeUndefined();
  }
}

describe('stacked trials', () => {
  it('a CNN trains bit for bit as its trials do alone, in stacks of three (per-trial lr, weight decay, schedule)', async () => {
    const configs: TrialConfig[] = [
      { optimizer: 'momentum', lr: 0.05, weightDecay: 0, schedule: 'cosine' }, { optimizer: 'momentum', lr: 0.011, weightDecay: 3e-3, schedule: 'cosine' },
      { optimizer: 'momentum', lr: 0.02, weightDecay: 1e-3 }, { optimizer: 'adam', lr: 0.01, weightDecay: 0, schedule: 'cosine' },
      { optimizer: 'adam', lr: 0.003, weightDecay: 3e-3 }, { optimizer: 'adam', lr: 0.02, weightDecay: 1e-3, schedule: 'step' },
    ];
    const opts = { model: cnn, data: images, epochs: 1, evalEvery: 3, batchSize: 8, keepWeights: 'all' as const, seed: TEST_SEED % 1000, concurrency: 3 };
    const alone = await searchConfigs(configs, { ...opts, stack: false });
    const stacked = await searchConfigs(configs, opts);
    expect(alone.memory.stacks).toBe(0);
    // 3 consecutive configurations share a rule: 2 stacks of 3.
    expect(stacked.memory.stacks).toBe(2);
    expect(stacked.memory.stackedRuns).toBe(6);
    expectSame(stacked, alone);
    // The trials differ from one another (the stack did not mix them up).
    const w = byIndex(stacked).map((t) => Buffer.from(t.weights!).toString('hex'));
    expect(new Set(w).size).toBe(w.length);
  }, 600_000);

  it('a diverging trial and an early-stopped one end inside their stack; the others go on exactly as alone', async () => {
    const mlp = (c: TrialConfig) => new Sequential(new Flatten(), new Linear(2 * SIDE * SIDE, Number(c.width ?? 8)), new ReLU(), new Linear(Number(c.width ?? 8), CLASSES));
    const opts = {
      space: { lr: [1e9, 0, 0.05, 0.2], optimizer: ['momentum'] }, model: mlp, data: images, steps: 15, evalEvery: 3, batchSize: 8,
      earlyStopping: { patience: 2 }, keepWeights: 'all' as const, seed: 3,
    };
    const alone = await gridSearch({ ...opts, stack: false });
    const inUse = rt.memory().inUseBytes;
    const stacked = await gridSearch(opts);
    // Every stack, its runs and their models are given back.
    expect(rt.memory().inUseBytes - inUse).toBe(0);
    expect(stacked.memory.stacks).toBe(1);
    expectSame(stacked, alone);
    const byLr = new Map(stacked.table.map((t) => [t.config.lr, t]));
    expect(byLr.get(1e9)!.status).toBe('diverged');
    expect(byLr.get(0)!.status).toBe('stopped-early');
    expect(byLr.get(0.2)!.status).not.toBe('diverged');
  });

  it('a stack holds only as many trials as the device\'s storage bindings allow', () => {
    const model = lenet5({ runtime: rt }), layers = stackLayers(model)!;
    const device = (bytes: number) => ({ limits: { maxStorageBufferBindingSize: bytes, maxBufferSize: bytes, minStorageBufferOffsetAlignment: 256 } }) as unknown as Runtime;
    // LeNet-5 has 61 706 parameters (246.8 kB a trial in the arena): 4 trials fit 1 MiB, 5 do not.
    expect(maxStackTrials(layers, model, [1, 28, 28], 1, device(2 ** 20))).toBe(4);
    expect(maxStackTrials(layers, model, [1, 28, 28], 1, device(300_000))).toBe(1);
    // conv1's column matrix at batch 1000: 1000 samples × 26 rows × 784 positions × 4 bytes = 81.5 MB a trial;
    // unsplit, 256 MiB hold 3 trials.
    expect(maxStackTrials(layers, model, [1, 28, 28], 1000, device(2 ** 31))).toBe(3);
    // Dropout (its masks), a nested module, a model not ending in a Linear: no stack at all.
    expect(stackLayers(new Sequential(new Flatten(), new Linear(4, 3), new ReLU(), new Dropout(0.5), new Linear(3, 2)))).toBeNull();
    expect(stackLayers(new Sequential(new Flatten(), new Linear(4, 3), new ReLU(), new Sequential(new Linear(3, 2))))).toBeNull();
    expect(stackLayers(new Sequential(new Conv2d(1, 2, 3), new ReLU()))).toBeNull();
    // Layers that do not fit the sample the way the stacked layouts need: a Linear on an image, a conv after a Linear.
    const onImage = new Sequential(new Linear(28, 5), new ReLU(), new Linear(5, 3));
    expect(maxStackTrials(stackLayers(onImage)!, onImage, [1, 28, 28], 8, device(2 ** 30))).toBe(0);
    const convAfter = new Sequential(new Linear(4, 4), new Conv2d(1, 2, 1), new Flatten(), new Linear(2, 2));
    expect(maxStackTrials(stackLayers(convAfter)!, convAfter, [4], 8, device(2 ** 30))).toBe(0);
    model.dispose();
  });

  it('trials with a frozen parameter train on their own (their optimizer leaves it alone), with the same numbers', async () => {
    const frozenFirst = (c: TrialConfig) => {
      const m = new Sequential(new Flatten(), new Linear(2 * SIDE * SIDE, Number(c.width ?? 6)), new ReLU(), new Linear(Number(c.width ?? 6), CLASSES));
      m.parameters()[0]!.requireGrad(false);
      return m;
    };
    const opts = { space: { lr: [0.1, 0.03] }, model: frozenFirst, data: images, steps: 6, batchSize: 8, keepWeights: 'all' as const, seed: 5 };
    const alone = await gridSearch({ ...opts, stack: false });
    const defaulted = await gridSearch(opts);
    expect(defaulted.memory.stacks).toBe(0);
    expectSame(defaulted, alone);
  });
});
