import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam, compile, crossEntropy, formatProfile, imageToTensor, lenet5, matmul, mlp, mul, predictTopK, randn, relu, SGD, seed, StepStats, sum, tensor, tidy,
} from '../../src/index.js';
import { testRuntime } from '../helpers/gpu.js';

// The README's examples, as written there (init is done by testRuntime).
beforeAll(async () => {
  await testRuntime();
});

describe('README examples', () => {
  it('using it', async () => {
    const a = randn([128, 64], { seed: 1 });
    const w = tensor(new Float32Array(64 * 10).fill(0.1), [64, 10]);
    const y = tidy(() => relu(matmul(a, w)));
    expect(y.shape).toEqual([128, 10]);
    expect((await y.toArray()).every((v) => v >= 0)).toBe(true);
  });

  it('autodiff', async () => {
    const x = tensor([1, 2, 3]).requireGrad();
    const loss = sum(mul(x, x));
    loss.backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([2, 4, 6]);
  });

  it('modules, optimizers and a compiled step', async () => {
    seed(0);
    const model = lenet5();
    const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const step = compile((x, y) => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    }, { inputShapes: [[1, 28, 28], []] });
    const imagesF32 = new Float32Array(2 * 28 * 28).fill(0.5);
    const labelsI32 = Int32Array.of(3, 7);
    const first = await step(imagesF32, labelsI32).item();
    const loss = step(imagesF32, labelsI32);
    expect(await loss.item()).toBeLessThan(first);
    const report = formatProfile(await step.profile([imagesF32, labelsI32], { repeats: 1 }));
    expect(report).toMatch(/^GPU time per step .+ in \d+, median of 1\)\n {2}\S+ · \S+ +×\d+/);
  }, 300_000);

  it('looking inside: summary, statistics, predictions', async () => {
    seed(0);
    const imagesF32 = new Float32Array(2 * 28 * 28).fill(0.5), labelsI32 = Int32Array.of(3, 7);
    const imageData = { data: new Uint8ClampedArray(56 * 56 * 4).fill(255), width: 56, height: 56 };
    const model = mlp([784, 64, 10]);
    expect(String(model)).toMatch(/^Sequential\(\n {2}\(0\): Flatten\(start_dim=1, end_dim=-1\)\n {2}\(1\): Linear\(in_features=784, /);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const stats = new StepStats(model, opt);
    const step = compile((x, y) => {
      opt.zeroGrad();
      const loss = crossEntropy(stats.forward(x), y);
      loss.backward();
      stats.beforeUpdate();
      opt.step();
      stats.afterUpdate();
      return loss;
    }, { inputShapes: [[1, 28, 28], []] });
    stats.request();
    step(imagesF32, labelsI32).dispose();
    const report = (await stats.read())!;
    expect(report.layers.map((l) => l.label)).toEqual(['0 Flatten', '1 Linear+ReLU', '3 Linear']);
    expect(report.parameters[0]!.name).toBe('1.weight');
    expect(report.parameters[0]!.updateRatio).toBeGreaterThan(0);
    expect(String(model.summary([2, 1, 28, 28], step))).toMatch(/Compiled step: \d+ dispatches/);
    const top3 = await predictTopK(model, imageToTensor(imageData, { invert: true }), 3);
    expect(top3.row(0)).toHaveLength(3);
    step.dispose();
    stats.dispose();
  }, 300_000);
});
