import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, mlp, saveModel, seed, tensorValues } from '../../src/index.js';
import { trainFashionMNIST, type RecipeOptions } from '../../src/train/recipe.js';
import { parseAugmentSpec, parseTtaSpec } from '../../src/augment/spec.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

// npm run train's recipe with --init, --freeze, --augment and --tta, on a small random "Fashion-MNIST".
beforeAll(async () => {
  await testRuntime();
});

function split(rng: Rng, n: number) {
  return { images: Uint8Array.from(rng.uniform(n * 784, 0, 255), Math.floor), labels: Int32Array.from(rng.int(n, 0, 10)), n };
}

describe('the npm run train recipe with transfer flags', () => {
  it('starts from the given weights, keeps frozen layers as loaded, augments training, tests with TTA', async () => {
    const rng = new Rng();
    seed(4);
    const source = mlp([784, 512, 512, 10]);
    const bytes = await saveModel(source);
    const data = { train: split(rng, 24), test: split(rng, 9) };
    const base: RecipeOptions = { model: 'mlp', epochs: 1, batchSize: 8, lr: 1e-2, optimizer: 'adam', seed: 3, valFraction: 0.25 };
    const result = await trainFashionMNIST(data, {
      ...base, initWeights: Buffer.from(bytes).toString('base64'), freeze: [1, 3],
      augment: parseAugmentSpec('crop:2,flip,brightness:0.1', [28, 28]), tta: parseTtaSpec('flip'),
    }, () => {}, () => {});
    expect(result.loadReport).toMatchObject({ missing: [], unexpected: [], mismatched: [] });
    expect(result.loadReport!.loaded).toHaveLength(6);
    const before = decodeSafetensors(bytes).tensors, after = decodeSafetensors(result.weights).tensors;
    for (const name of ['1.weight', '1.bias', '3.weight', '3.bias']) expect(tensorValues(after.get(name)!, name), `${name} frozen`).toEqual(tensorValues(before.get(name)!, name));
    expect(tensorValues(after.get('5.bias')!, '5.bias')).not.toEqual(tensorValues(before.get('5.bias')!, '5.bias'));
    expect(result.testAcc).toBeGreaterThanOrEqual(0);
    await expect(trainFashionMNIST(data, { ...base, freeze: [1, 3, 5] }, () => {}, () => {})).rejects.toThrow(/all 6 parameters are frozen/);
    await expect(trainFashionMNIST(data, { ...base, freeze: [9] }, () => {}, () => {})).rejects.toThrow(/no layer 9/);
  }, 300_000);
});
