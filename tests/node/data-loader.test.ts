import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR, FASHION_MNIST_MEAN, FASHION_MNIST_STD, fashionMNISTDataset, loadFashionMNIST } from '../../src/data/fashion-mnist.js';
import { computeMeanStd, DataLoader, InMemoryDataset, kFold, splitTrainVal } from '../../src/data/loader.js';
import { SeededRandom } from '../../src/data/random.js';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import { expectClose } from '../helpers/compare.js';

const present = existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));

/** n samples of shape [2, 3] whose label is their index and whose bytes are (index + j) mod 256. */
function indexed(n: number, normalize?: ConstructorParameters<typeof InMemoryDataset>[2]['normalize']): InMemoryDataset {
  const x = Uint8Array.from({ length: n * 6 }, (_, k) => (Math.floor(k / 6) + (k % 6)) % 256);
  return new InMemoryDataset(x, Int32Array.from({ length: n }, (_, i) => i), { sampleShape: [2, 3], normalize });
}

function isPermutation(a: ArrayLike<number>, n: number): boolean {
  return a.length === n && Array.from(a).sort((p, q) => p - q).every((v, i) => v === i);
}

describe('SeededRandom', () => {
  it('replays the same sequence for the same (seed, stream) and another for a different one', () => {
    const draw = (seed: number, stream = 0) => {
      const r = new SeededRandom(seed, stream);
      return Array.from({ length: 8 }, () => r.nextU32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(43)).not.toEqual(draw(42));
    expect(draw(42, 1)).not.toEqual(draw(42));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('draws integers in range with every value reached, and permutations', () => {
    const r = new SeededRandom(7);
    const seen = new Array<number>(7).fill(0);
    for (let i = 0; i < 7000; i++) seen[r.int(7)]!++;
    // Each count is Binomial(7000, 1/7): mean 1000, sd ≈ 29; ±200 is ~7 sd.
    for (const s of seen) expect(Math.abs(s - 1000)).toBeLessThan(200);
    expect(isPermutation(r.permutation(1000), 1000)).toBe(true);
    expect(() => new SeededRandom(-1)).toThrow(ArgumentError);
  });
});

describe('DataLoader', () => {
  it('shuffles reproducibly: a permutation per epoch, fixed by (seed, epoch)', () => {
    const ds = indexed(50);
    const a = new DataLoader(ds, { batchSize: 8, seed: 3 }), b = new DataLoader(ds, { batchSize: 8, seed: 3 });
    expect(isPermutation(a.order(0), 50)).toBe(true);
    expect(a.order(0)).toEqual(b.order(0));
    expect(a.order(1)).toEqual(b.order(1));
    expect(a.order(1)).not.toEqual(a.order(0));
    expect(new DataLoader(ds, { batchSize: 8, seed: 4 }).order(0)).not.toEqual(a.order(0));
    expect([...new DataLoader(ds, { batchSize: 8, shuffle: false }).order(5)]).toEqual([...Array(50).keys()]);
  });

  it('visits every sample once per epoch, in the shuffled order, with the last partial batch unless dropLast', () => {
    const ds = indexed(10);
    const loader = new DataLoader(ds, { batchSize: 4, seed: 1 });
    expect(loader.batchesPerEpoch).toBe(3);
    const batches = [...loader.batches(2)];
    expect(batches.map((b) => b.size)).toEqual([4, 4, 2]);
    expect(batches.map((b) => b.index)).toEqual([0, 1, 2]);
    expect(batches[2]!.shape).toEqual([2, 2, 3]);
    const labels = batches.flatMap((b) => [...b.y]);
    expect(labels).toEqual([...loader.order(2)]);
    for (const b of batches) {
      expect(b.x.length).toBe(b.size * 6);
      b.y.forEach((label, i) => expect([...b.x.subarray(i * 6, i * 6 + 6)]).toEqual([0, 1, 2, 3, 4, 5].map((j) => label + j)));
    }
    const dropped = new DataLoader(ds, { batchSize: 4, seed: 1, dropLast: true });
    expect(dropped.batchesPerEpoch).toBe(2);
    expect([...dropped.batches(2)].map((b) => b.size)).toEqual([4, 4]);
    expect([...new DataLoader(ds, { batchSize: 5 }).batches()].map((b) => b.size)).toEqual([5, 5]);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(ArgumentError);
  });

  it('continues an epoch from a sample position at another batch size (the same order)', () => {
    const ds = indexed(10);
    const first = [...new DataLoader(ds, { batchSize: 4, seed: 1 }).batches(3)].slice(0, 1);
    const rest = new DataLoader(ds, { batchSize: 3, seed: 1 });
    expect(rest.batchesFrom(4)).toBe(2);
    const after = [...rest.batches(3, 4)];
    expect(after.map((b) => b.size)).toEqual([3, 3]);
    expect([...first, ...after].flatMap((b) => [...b.y])).toEqual([...rest.order(3)]);
    expect([...rest.batches(3, 10)]).toEqual([]);
    expect(() => [...rest.batches(3, 11)]).toThrow(/start must be an integer from 0 to 10/);
    expect(new DataLoader(ds, { batchSize: 4, dropLast: true }).batchesFrom(1)).toBe(2);
  });

  it('normalizes per channel: (x·scale − mean) / std', () => {
    const mean = [0.25, -0.5], std = [0.5, 2];
    const ds = indexed(4, { scale: 1 / 255, mean, std });
    const { x, y } = ds.gather([3, 1]);
    const raw = indexed(4).gather([3, 1]).x;
    const expected = Array.from(raw, (v, k) => {
      const c = Math.floor((k % 6) / 3);
      return (v / 255 - mean[c]!) / std[c]!;
    });
    // One f32 rounding of the result plus the folded multiply-add: a few ulps.
    expectClose(x, expected, { rtol: 1e-6, atol: 1e-7 }, 'normalized x');
    expect([...y]).toEqual([3, 1]);
    expect(() => indexed(4, { mean: [0, 0, 0] })).toThrow(/3 values for 2 channels/);
    expect(() => indexed(4, { std: 0 })).toThrow(/std must be positive/);
    expect(() => new InMemoryDataset(new Float32Array(5), new Int32Array(1), { sampleShape: [2, 3] })).toThrow(ShapeError);
  });

  it('every normalization route (byte table, float copy, float multiply-add) gives exactly f32(x·scale/std − mean/std)', () => {
    // Channels 0 and 1 share their normalization (one run), 2 and 3 do not; a 1-D sample's values are its
    // "channels", all normalized alike. Every byte value appears; a subset view is read in a shuffled order.
    const n = 11, rows = Int32Array.of(7, 2, 10, 0, 3), positions = [4, 0, 2, 1, 3, 4];
    const perChannel = { scale: 1 / 255, mean: [0.286, 0.286, -0.1, 0.7], std: [0.353, 0.353, 1.7, 0.05] };
    const cases = [
      { shape: [4, 5, 7], normalize: perChannel }, { shape: [4, 5, 7], normalize: {} },
      { shape: [9], normalize: { scale: 1 / 255, mean: 0.286, std: 0.353 } }, { shape: [9], normalize: {} },
    ];
    const at = (what: number | number[] | undefined, c: number, fallback: number) => (what === undefined ? fallback : typeof what === 'number' ? what : what[c]!);
    for (const { shape, normalize } of cases) {
      const size = shape.reduce((a, b) => a * b, 1), channels = shape[0]!;
      const bytes = Uint8Array.from({ length: n * size }, (_, k) => (k * 37 + 11) % 256);
      const floats = Float32Array.from(bytes, (v, k) => (v - 128) / 7 + (k % 3) * 1e-3);
      for (const x of [bytes, floats]) {
        const name = `${x.constructor.name} [${shape}] ${JSON.stringify(normalize)}`;
        const got = new InMemoryDataset(x, new Int32Array(n), { sampleShape: shape, normalize }).subset(rows).gather(positions).x;
        positions.forEach((p, i) => {
          for (let j = 0; j < size; j++) {
            const c = Math.floor(j / (size / channels)), v = x[rows[p]! * size + j]!;
            const scale = normalize.scale ?? 1, mean = at(normalize.mean, c, 0), std = at(normalize.std, c, 1);
            const want = Math.fround(v * (scale / std) + -mean / std);
            if (got[i * size + j] !== want) throw new Error(`${name}: sample ${i} element ${j} is ${got[i * size + j]}, expected ${want}`);
          }
        });
      }
    }
  });

  it('computes per-channel mean and std', () => {
    const x = Float32Array.of(1, 3, 10, 10, /* sample 2 */ 5, 7, 20, 40);
    const { mean, std } = computeMeanStd(x, [2, 2]);
    expect(mean).toEqual([4, 20]);
    expectClose(std, [Math.sqrt(5), Math.sqrt(150)], { rtol: 1e-12 }, 'std');
  });
});

describe.skipIf(!present)('Fashion-MNIST statistics (skipped without the dataset-fashion-mnist files)', () => {
  it('has training mean 0.2860 and std 0.3530 on [0, 1] pixels, the constants the dataset normalizes with', async () => {
    const { train } = await loadFashionMNIST();
    const { mean, std } = computeMeanStd(train.images, [1, 28, 28], 1 / 255);
    // Measured on the training set: mean 0.286041, std 0.353024 (test set: 0.286849, 0.352444).
    expect(Math.abs(mean[0]! - FASHION_MNIST_MEAN)).toBeLessThan(5e-5);
    expect(Math.abs(std[0]! - FASHION_MNIST_STD)).toBeLessThan(5e-5);
    const ds = fashionMNISTDataset(train);
    const batch = ds.gather(Int32Array.from({ length: 2000 }, (_, i) => i * 30));
    const m = batch.x.reduce((a, b) => a + b, 0) / batch.x.length;
    // A 2000-image sample of the normalized training set has mean ≈ 0 (a few hundredths at most).
    expect(Math.abs(m)).toBeLessThan(0.05);
  });
});

describe('splits', () => {
  it('splits train/validation disjointly, covering everything, reproducibly', () => {
    const ds = indexed(101);
    const { train, val } = splitTrainVal(ds, 0.2, 9);
    expect([train.length, val.length]).toEqual([81, 20]);
    const all = [...train.labels(), ...val.labels()];
    expect(isPermutation(all, 101)).toBe(true);
    expect(val.labels()).toEqual(splitTrainVal(ds, 0.2, 9).val.labels());
    expect(val.labels()).not.toEqual(splitTrainVal(ds, 0.2, 10).val.labels());
    // A subset gathers its own samples: position 0 of val is the sample with the first val label.
    const first = val.labels()[0]!;
    expect([...val.gather([0]).x]).toEqual([0, 1, 2, 3, 4, 5].map((j) => first + j));
    expect(() => splitTrainVal(ds, 0, 1)).toThrow(ArgumentError);
    expect(() => splitTrainVal(indexed(3), 0.1, 1)).toThrow(/both parts non-empty/);
  });

  it('k-fold: each index validates exactly once, train is the rest, fold sizes differ by at most one', () => {
    const n = 23, k = 5;
    const folds = kFold(n, k, 4);
    expect(folds.length).toBe(k);
    const times = new Array<number>(n).fill(0);
    for (const { train, val } of folds) {
      for (const i of val) times[i]!++;
      expect(isPermutation([...train, ...val], n)).toBe(true);
      expect(val.length === 4 || val.length === 5).toBe(true);
    }
    expect(times.every((t) => t === 1)).toBe(true);
    expect(kFold(n, k, 4)).toEqual(folds);
    expect(kFold(n, k, 5)).not.toEqual(folds);
    expect(() => kFold(3, 4)).toThrow(ArgumentError);
    expect(() => kFold(10, 1)).toThrow(ArgumentError);
  });
});
