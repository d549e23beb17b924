import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, InMemoryDataset, mlp, saveModel, seed, tensorValues } from '../../src/index.js';
import { Trainer } from '../../app/session/trainer.js';
import { parseAugmentSpec, parseTtaSpec } from '../../src/augment/spec.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

// npm run train's session with --init-weights, --freeze, --augment and --tta, on small random "Fashion-MNIST".
beforeAll(async () => {
  await testRuntime();
});

describe('the training session with transfer options', () => {
  it('starts from the given weights, keeps frozen layers as loaded, augments training, tests with TTA', async () => {
    const rng = new Rng();
    seed(4);
    const source = mlp([784, 32, 32, 10]);
    const bytes = await saveModel(source);
    const data = (n: number) => new InMemoryDataset(rng.uniform(n * 784, 0, 1), Int32Array.from(rng.int(n, 0, 10)), { sampleShape: [1, 28, 28], classes: 10 });
    const pool = data(24), test = data(9);
    const options = { model: 'mlp' as const, hidden: [32, 32], epochs: 1, batchSize: 8, lr: 1e-2, optimizer: 'adam' as const, seed: 3, valFraction: 0.25, subset: 0 };
    const trainer = new Trainer(options, pool, {
      transfer: {
        initWeights: Buffer.from(bytes).toString('base64'), freeze: [1, 3],
        augment: parseAugmentSpec('crop:2,flip,brightness:0.1', [28, 28]), tta: parseTtaSpec('flip'),
      },
    });
    try {
      expect(trainer.loadReport).toMatchObject({ missing: [], unexpected: [], mismatched: [] });
      expect(trainer.loadReport!.loaded).toHaveLength(6);
      await trainer.run();
      const t = await trainer.evaluate(test);
      expect(t.accuracy).toBeGreaterThanOrEqual(0);
      expect(t.samples).toBe(9);
      const before = decodeSafetensors(bytes).tensors, after = decodeSafetensors(await saveModel(trainer.model)).tensors;
      for (const name of ['1.weight', '1.bias', '3.weight', '3.bias']) expect(tensorValues(after.get(name)!, name), `${name} frozen`).toEqual(tensorValues(before.get(name)!, name));
      expect(tensorValues(after.get('5.bias')!, '5.bias')).not.toEqual(tensorValues(before.get('5.bias')!, '5.bias'));
    } finally {
      trainer.dispose();
    }
    expect(() => new Trainer(options, pool, { transfer: { freeze: [1, 3, 5] } })).toThrow(/parameters are frozen/);
    expect(() => new Trainer(options, pool, { transfer: { freeze: [9] } })).toThrow(/no layer 9/);
  }, 300_000);
});
