import { beforeAll, describe, expect, it } from 'vitest';
import {
  lenet5, saveModel, loadModel, Linear, freeze, unfreeze, Adam, fit, evaluate, augment, randomCrop,
  randomHorizontalFlip, randomBrightness, flipViews, features, nearestNeighbors, noGrad, InMemoryDataset, seed, tensor,
} from '../../src/index.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

// The README's transfer-learning example as written there, on small random data sets (init by testRuntime).
beforeAll(async () => {
  await testRuntime();
});

describe('README: augmentation, transfer learning and similar-image search', () => {
  it('runs as printed', async () => {
    const rng = new Rng();
    seed(1);
    const data = (n: number) => new InMemoryDataset(rng.uniform(n * 784, 0, 1), Int32Array.from(rng.int(n, 0, 5)), { sampleShape: [1, 28, 28] });
    const train = data(10), test = data(7);
    const queries = tensor(rng.uniform(2 * 784), [2, 1, 28, 28]), gallery = tensor(rng.uniform(9 * 784), [9, 1, 28, 28]);

    const pretrainedBytes = await saveModel(lenet5());
    const model = lenet5({ classes: 5 });
    const { report } = loadModel(model, pretrainedBytes, { strict: false, skipMismatched: true });
    expect(report.mismatched).toEqual(['11.weight: file [10, 84] vs module [5, 84]', '11.bias: file [10] vs module [5]']);
    model.replace(-1, new Linear(84, 5));
    freeze(model);
    unfreeze(model.at(-1));
    const opt = new Adam(model.parameters(), { lr: 1e-2 });
    const before = await model.at(0).parameters()[0]!.toArray();
    await fit(model, train, {
      epochs: 2, batchSize: 10, optimizer: opt,   // README: 30 epochs
      augment: augment([randomCrop(28, { padding: 2 }), randomHorizontalFlip(), randomBrightness(0.2)], { seed: 1 }),
    });
    const { accuracy } = await evaluate(model, test, { tta: flipViews() });
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(await model.at(0).parameters()[0]!.toArray()).toEqual(before);

    unfreeze(model);
    const head = model.at(-1).parameters();
    const body = model.parameters().filter((p) => !head.includes(p));
    const tune = new Adam([{ params: body, lr: 1e-4 }, { params: head }], { lr: 1e-2, weightDecay: 1e-4 });
    expect(tune.groupLr(0)).toBe(1e-4);

    model.eval();
    const embed = features(model, -2);
    const { indices, scores } = noGrad(() => nearestNeighbors(embed.forward(queries), embed.forward(gallery), 8));
    expect(indices.shape).toEqual([2, 8]);
    expect(scores.shape).toEqual([2, 8]);
  }, 300_000);
});
