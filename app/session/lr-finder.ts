// `npm run train -- --find-lr`: Smith's learning-rate range test on the session's own model (initialized as
// training would be), optimizer kind and training part, before the real run; the model is thrown away after.
import type { InMemoryDataset } from '../../src/data/loader.js';
import { seed as seedRng } from '../../src/ops/creation.js';
import { findLr, type LrFinderResult } from '../../src/search/lr-finder.js';
import { buildModel, FASHION_MNIST_INPUT, type InputSpec } from './models.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { buildOptimizer } from './optimizer.js';
import { resolveOptions, type SessionOptions } from './options.js';
import { splitData } from './trainer.js';

/**
 * The learning rate grows exponentially from 1e-6 to 1 over `steps` steps (every optimizer here diverges below
 * 1 on Fashion-MNIST), with a constant schedule; the suggestion is Smith's (a tenth of the lowest-loss lr).
 */
export async function findSessionLr(options: Partial<SessionOptions>, pool: InMemoryDataset, steps = 100, input: InputSpec = FASHION_MNIST_INPUT): Promise<LrFinderResult> {
  const o = resolveOptions({ ...options, schedule: 'constant', warmup: 0 });
  const { train } = splitData(pool, o);
  seedRng(o.seed);
  const model = buildModel(o, input);
  let optimizer: Optimizer | undefined;
  try {
    return await findLr(model, train, {
      minLr: 1e-6, maxLr: 1, steps, batchSize: o.batchSize, seed: o.seed,
      optimizer: (params) => (optimizer = buildOptimizer(params, o, steps)),
    });
  } finally {
    // findLr disposed the optimizer; the arena it packed the parameters into goes with the model.
    if (optimizer) optimizer.disposeWithModel(model);
    else model.dispose();
  }
}
