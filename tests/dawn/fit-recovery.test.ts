import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ArgumentError, DeviceLostError, fit, InMemoryDataset, loadModel, loadOptimizerState, mlp, SGD, seed, type Runtime,
} from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { nullRuntime } from '../helpers/null-device.js';

// fit when the device goes away mid-run, and resuming a run from a checkpoint.
let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Lets any stray promise of the failed run settle (and reach the unhandled-rejection hook if unhandled). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

function dataset(n: number): InMemoryDataset {
  const x = Float32Array.from({ length: n * 5 }, (_, i) => Math.sin(1.7 * i));
  const y = Int32Array.from({ length: n }, (_, i) => (i * 7) % 3);
  return new InMemoryDataset(x, y, { sampleShape: [5] });
}

// The device-loss runs need no arithmetic: on the null device they cost only their CPU side.
async function lostDuringFit(lose: (own: Runtime, firstBatch: Promise<void>) => void): Promise<unknown> {
  const own = await nullRuntime({ setCurrent: false });
  seed(1, own);
  const model = mlp([5, 4, 3], { runtime: own });
  const opt = new SGD(model.parameters(), { lr: 0.1 });
  let signal!: () => void;
  const firstBatch = new Promise<void>((resolve) => (signal = resolve));
  lose(own, firstBatch);
  let error: unknown = null;
  try {
    await fit(model, dataset(40), { epochs: 50, batchSize: 2, optimizer: opt, lossEvery: 1, callbacks: { onBatchEnd: () => signal() } });
  } catch (e) {
    error = e;
  }
  await settle();
  return error;
}

describe('fit and a lost device', () => {
  it('rejects once with DeviceLostError when the device is lost in a callback, with no unhandled rejection', async () => {
    let calls = 0;
    const own = await nullRuntime({ setCurrent: false });
    seed(1, own);
    const model = mlp([5, 4, 3], { runtime: own });
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const run = fit(model, dataset(40), {
      epochs: 50, batchSize: 2, optimizer: opt, lossEvery: 1,
      callbacks: { onBatchEnd: () => { if (++calls === 3) own.device.destroy(); } },
    });
    await expect(run).rejects.toBeInstanceOf(DeviceLostError);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('rejects once with DeviceLostError when the device is lost from outside, with no unhandled rejection', async () => {
    const error = await lostDuringFit((own, firstBatch) => void firstBatch.then(() => own.device.destroy()));
    expect(error).toBeInstanceOf(DeviceLostError);
    expect(unhandled).toEqual([]);
  });
});

describe('resuming fit', () => {
  it('a run resumed from a checkpoint at epoch 2 ends with the weights of an uninterrupted run', async () => {
    const data = dataset(23); // a partial last batch too
    const train = (epochs: number, initialEpoch?: number, from?: Uint8Array) => {
      seed(7);
      const model = mlp([5, 6, 3]);
      const opt = new SGD(model.parameters(), { lr: 0.2, momentum: 0.9 });
      if (from) loadOptimizerState(opt, loadModel(model, from).optimizerState);
      let saved: Uint8Array | null = null;
      return fit(model, data, {
        epochs, initialEpoch, batchSize: 4, optimizer: opt, seed: 3,
        checkpoints: { save: (bytes) => { saved = bytes; } },
      }).then((r) => ({ model, r, saved: saved! }));
    };
    const whole = await train(4);
    const first = await train(2);
    const resumed = await train(4, 2, first.saved);
    expect(resumed.r.history.map((m) => m.epoch)).toEqual([3, 4]);
    const a = whole.model.parameters(), b = resumed.model.parameters();
    for (let i = 0; i < a.length; i++) {
      // The same batches in the same order from the same state: equal up to float rounding (1e-6).
      expectClose(await b[i]!.toArray(), await a[i]!.toArray(), { rtol: 1e-6, atol: 1e-6 }, `parameter ${i}`);
    }
    // A different start would not match: epoch 3 with epoch 1's shuffle gives other weights.
    const wrong = await train(3, 1, first.saved);
    const w = await wrong.model.parameters()[0]!.toArray(), ref = await a[0]!.toArray();
    expect(w.some((v, k) => Math.abs(v - ref[k]!) > 1e-4)).toBe(true);
  });

  it('refuses an initial epoch that leaves nothing to train, and an empty data set', async () => {
    seed(8);
    const model = mlp([5, 3]);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    await expect(fit(model, dataset(4), { epochs: 2, initialEpoch: 2, batchSize: 2, optimizer: opt })).rejects.toThrow(ArgumentError);
    await expect(fit(model, dataset(4), { epochs: 2, initialEpoch: -1, batchSize: 2, optimizer: opt })).rejects.toThrow(/initialEpoch/);
    await expect(fit(model, dataset(0), { epochs: 1, batchSize: 2, optimizer: opt })).rejects.toThrow(/fit: the training set is empty/);
    await expect(fit(model, dataset(4), { epochs: 1, batchSize: 2, optimizer: opt, validation: dataset(0) })).rejects.toThrow(/validation set is empty/);
  });
});
