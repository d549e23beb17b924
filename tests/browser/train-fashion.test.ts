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
    const reports: { epoch: number; batch: number; samplesPerSec: number; loss?: number }[] = [];
    // No time-based reports (progressMs: Infinity), so the batches reported do not depend on this machine's speed.
    const result = await fit(model, train, { epochs: 2, batchSize: 64, optimizer, seed: 1, progressMs: Infinity, callbacks: { onBatchEnd: (b) => void reports.push(b) } });
    expect(result.history).toHaveLength(2);
    // The first batch, then every 20 and each epoch's last (32 batches of 2,000 / 64).
    expect(reports.map((r) => [r.epoch, r.batch])).toEqual([[1, 1], [1, 21], [1, 32], [2, 1], [2, 21], [2, 32]]);
    for (const r of reports) expect(Number.isFinite(r.loss)).toBe(true);
    // Throughput counts finished batches, not queued ones: every report agrees with its epoch's figure
    // within a factor of 3 (the last partial batch and the metric readback move them apart). Not batch 1:
    // in epoch 1 it pays for compiling every shader on its own.
    for (const r of reports.filter((x) => x.batch > 1)) {
      const ratio = r.samplesPerSec / result.history[r.epoch - 1]!.samplesPerSec;
      expect(ratio, `epoch ${r.epoch} batch ${r.batch}`).toBeGreaterThan(1 / 3);
      expect(ratio, `epoch ${r.epoch} batch ${r.batch}`).toBeLessThan(3);
    }
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
