import type { Runtime } from '../device.js';
import { DataLoader, type InMemoryDataset } from '../data/loader.js';
import { tensor } from '../ops/creation.js';
import { keep, type Tensor } from '../tensor.js';

export interface FedBatch {
  x: Tensor;
  y: Tensor;
  size: number;
}

/**
 * The mini-batches of one training set in one seeded order, on the GPU, shared by every run that reads that
 * order (a search's trials with the same fold and batch size): the t-th batch is gathered, normalized and
 * uploaded once, and each run's compiled step copies it on the GPU. Trials then see the same data order
 * (common random numbers: their differences come from the hyperparameters, not the shuffle), and a round
 * of K trials costs one gather and one upload instead of K. Batches are cached least-recently-used; one
 * evicted during a round is freed at `endRound()`, after the submit that reads it.
 */
export class BatchFeed {
  readonly loader: DataLoader;
  /** Runs reading this feed (sizes the cache). */
  readers = 0;
  private readonly cache = new Map<number, FedBatch>();
  private readonly retired: FedBatch[] = [];
  private orderEpoch = -1;
  private order: Int32Array | null = null;

  constructor(readonly rt: Runtime, readonly dataset: InMemoryDataset, readonly batchSize: number, seed: number) {
    this.loader = new DataLoader(dataset, { batchSize, seed });
  }

  get batchesPerEpoch(): number {
    return this.loader.batchesPerEpoch;
  }

  /** The `step`-th mini-batch counted over epochs (epoch ⌊step / batchesPerEpoch⌋ in its own shuffled order). */
  batch(step: number): FedBatch {
    const hit = this.cache.get(step);
    if (hit) {
      // Most recently used last.
      this.cache.delete(step);
      this.cache.set(step, hit);
      return hit;
    }
    const perEpoch = this.batchesPerEpoch, epoch = Math.floor(step / perEpoch), index = step % perEpoch;
    if (epoch !== this.orderEpoch) {
      this.order = this.loader.order(epoch);
      this.orderEpoch = epoch;
    }
    const positions = this.order!.subarray(index * this.batchSize, (index + 1) * this.batchSize);
    const { x, y } = this.dataset.gather(positions);
    const fed: FedBatch = {
      x: keep(tensor(x, [positions.length, ...this.dataset.sampleShape], 'f32', this.rt)),
      y: keep(tensor(y, [positions.length], 'i32', this.rt)),
      size: positions.length,
    };
    this.cache.set(step, fed);
    const capacity = 2 + 2 * this.readers;
    for (const [k, v] of this.cache) {
      if (this.cache.size <= capacity) break;
      this.cache.delete(k);
      this.retired.push(v);
    }
    return fed;
  }

  /** Frees the batches evicted since the last call (call after the submit that used them). */
  endRound(): void {
    for (const b of this.retired.splice(0)) {
      b.x.dispose();
      b.y.dispose();
    }
  }

  dispose(): void {
    this.endRound();
    for (const b of this.cache.values()) {
      b.x.dispose();
      b.y.dispose();
    }
    this.cache.clear();
  }
}
