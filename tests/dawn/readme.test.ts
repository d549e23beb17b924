import { beforeAll, describe, expect, it } from 'vitest';
import {
  compile, crossEntropy, formatProfile, lenet5, matmul, mul, randn, relu, SGD, seed, sum, tensor, tidy,
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
    expect(report).toMatch(/^GPU time per step .+, median of 1\)\nSum of \d+ dispatches timed one per pass .+\n {2}\S+ · \S+ +×\d+/);
  }, 300_000);
});
