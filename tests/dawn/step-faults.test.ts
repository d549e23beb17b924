import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError, compile, crossEntropy, DataLoader, fit, InMemoryDataset, Linear, NonFiniteLossError, ReLU, type Runtime, SGD, seed, Sequential,
  tensor, type Tensor,
} from '../../src/index.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

// Labels that reach the GPU unchecked (compiled steps, fit, any i32 tensor) are checked there: a bad one
// raises a typed error when the loss or a metric is read, and the parameter update of that step is skipped.
let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

function setup() {
  seed(3);
  const model = new Sequential(new Linear(5, 7, { runtime: rt }), new ReLU(), new Linear(7, 3, { runtime: rt }));
  const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const body = (x: Tensor, y: Tensor) => {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  };
  return { model, opt, body, step: compile(body, { runtime: rt, inputShapes: [[5], []] }) };
}

const weights = (model: Sequential) => Promise.all(model.parameters().map(async (p) => Array.from(await p.toArray())));

describe('GPU label faults', () => {
  it('compiled step: the loss read names op, index and value; the update of that step is skipped', async () => {
    const rng = new Rng();
    const s = setup();
    const x = rng.normal(4 * 5);
    await s.step(x, Int32Array.of(0, 1, 2, 1)).item(); // trace with good labels
    const before = await weights(s.model);
    const bad = s.step(x, Int32Array.of(0, 3, 2, -1));
    await expect(bad.item()).rejects.toThrow(ArgumentError);
    const again = s.step(x, Int32Array.of(2, 1, 7, 0));
    await expect(again.item()).rejects.toThrow(/crossEntropy: label 7 at index 2 is out of range \[0, 3\)/);
    const after = await weights(s.model);
    expect(after).toEqual(before);
    expect(after.flat().every(Number.isFinite)).toBe(true);
    // Reported faults are cleared: the next good step trains again.
    const good = s.step(x, Int32Array.of(0, 1, 2, 1));
    expect(Number.isFinite(await good.item())).toBe(true);
    expect(await weights(s.model)).not.toEqual(before);
    s.step.dispose();
    s.opt.dispose();
  });

  it('eager step: a negative label is reported at the loss read and the parameters stay as they were', async () => {
    const rng = new Rng();
    const s = setup();
    const before = await weights(s.model);
    const loss = s.body(tensor(rng.normal(3 * 5), [3, 5], 'f32', rt), tensor(Int32Array.of(1, -4, 0), [3], 'i32', rt));
    await expect(loss.item()).rejects.toThrow(/crossEntropy: label -4 at index 1 is out of range \[0, 3\)/);
    expect(await weights(s.model)).toEqual(before);
    s.step.dispose();
    s.opt.dispose();
  });

  it('fit stops with the error and keeps finite weights', async () => {
    const rng = new Rng();
    const s = setup();
    const n = 9;
    const y = Int32Array.from({ length: n }, (_, i) => i % 3);
    y[5] = 3;
    const data = new InMemoryDataset(rng.normal(n * 5), y, { sampleShape: [5] });
    await expect(fit(s.model, data, { epochs: 2, batchSize: 4, optimizer: s.opt, lossEvery: 100 })).rejects.toThrow(/crossEntropy: label 3 at index \d is out of range \[0, 3\)/);
    expect((await weights(s.model)).flat().every(Number.isFinite)).toBe(true);
    s.step.dispose();
    s.opt.dispose();
  });

  it('fit with stopOnNonFinite stops at the first NaN loss naming epoch and batch, with the weights of the last finite step', async () => {
    const rng = new Rng();
    const n = 13, batchSize = 3;
    const x = rng.normal(n * 5);
    const y = Int32Array.from({ length: n }, (_, i) => i % 3);
    x[5 * 8 + 2] = NaN; // sample 8
    const data = new InMemoryDataset(x, y, { sampleShape: [5], classes: 3 });
    const batches = [...new DataLoader(data, { batchSize, seed: 4 }).batches(0)];
    const bad = batches.findIndex((b) => b.x.some(Number.isNaN));
    expect(bad).toBeGreaterThanOrEqual(0);

    const s = setup();
    const err = await fit(s.model, data, { epochs: 3, batchSize, optimizer: s.opt, seed: 4, stopOnNonFinite: true, lossEvery: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as NonFiniteLossError).epoch).toBe(1);
    expect((err as NonFiniteLossError).batch).toBe(bad + 1);
    expect((err as Error).message).toMatch(new RegExp(`fit: the training loss is NaN at epoch 1, batch ${bad + 1}; training stopped`));

    // The same steps replayed by hand up to the batch before: identical weights.
    const ref = setup();
    for (const b of batches.slice(0, bad)) ref.step(b.x, b.y).dispose();
    expect(await weights(s.model)).toEqual(await weights(ref.model));
    for (const t of [s, ref]) {
      t.step.dispose();
      t.opt.dispose();
    }
  });
});
