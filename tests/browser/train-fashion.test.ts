import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam, evaluate, fashionMNISTDataset, fit, loadFashionMNIST, mlp, seed, type Runtime,
} from '../../src/index.js';
import { testRuntime } from '../helpers/gpu.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

describe('training on Fashion-MNIST in the browser', () => {
  it('a short run on a subset raises test accuracy well above chance (10%)', async () => {
    const data = await loadFashionMNIST({ baseUrl: '/@fs/usr/share/datasets/fashion-mnist/', subset: 2000 });
    seed(3);
    const model = mlp([784, 64, 10]);
    const optimizer = new Adam(model.parameters(), { lr: 2e-3 });
    const train = fashionMNISTDataset(data.train);
    const result = await fit(model, train, { epochs: 2, batchSize: 64, optimizer, seed: 1 });
    expect(result.history).toHaveLength(2);
    expect(result.history[1]!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
    const test = await evaluate(model, fashionMNISTDataset(data.test));
    expect(test.samples).toBe(2000);
    // 2 epochs on 2,000 images reach ~75% here; 50% is far above chance and leaves room for seeds.
    expect(test.accuracy).toBeGreaterThan(0.5);
    expect(rt.lostError).toBeNull();
    optimizer.dispose();
    model.dispose();
  });
});
