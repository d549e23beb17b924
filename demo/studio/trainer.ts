// One Studio run inside the worker: model, optimizer and compiled step over the chosen data, stepped one batch at a
// time so the page can play, pause or single-step it. Loss values stay on the GPU until the worker reads a few steps'
// worth at once, asynchronously (the queue keeps running); train loss/accuracy are summed on the GPU and read once per
// epoch; validation runs in eval mode at each epoch's end and gives the confusion matrix.
import {
  DataLoader, argmax, compile, crossEntropy, fashionMNISTDataset, keep, noGrad, seed as seedRng, splitTrainVal, tensor, tidy,
  type Batch, type CompiledStep, type InMemoryDataset, type Optimizer, type Sequential, type Tensor,
} from '../../src/index.js';
import { MetricAccumulator } from '../../src/train/metrics.js';
import { applyLiveSetup, buildModel, buildOptimizer, CLASSES, setDropout } from './build.js';
import type { StudioData } from './data.js';
import type { EpochPoint, StepPoint } from './protocol.js';
import { setupChange, type StudioSetup } from './setup.js';

/** A queued step whose loss has not been read yet. */
interface PendingLoss { step: number; epoch: number; lr: number; loss: Tensor }

export class StudioRun {
  readonly model: Sequential;
  readonly optimizer: Optimizer;
  readonly train: InMemoryDataset;
  readonly val: InMemoryDataset;
  /** The gallery's images: the test split, or validation images when the user gave no test files. */
  readonly test: InMemoryDataset;
  private step: CompiledStep<Tensor>;
  private loader: DataLoader;
  private batchesLeft: Generator<Batch>;
  private readonly metrics: MetricAccumulator;
  private pending: PendingLoss[] = [];
  /** Updates made, epochs finished, samples of the current epoch seen. */
  steps = 0;
  epoch = 0;
  private seenInEpoch = 0;
  private lastRead = { time: performance.now(), steps: 0, samples: 0 };
  private samples = 0;
  private disposed = false;

  constructor(public setup: StudioSetup, data: StudioData) {
    seedRng(setup.seed);
    const all = fashionMNISTDataset(data.train);
    const n = Math.min(setup.subset, all.length);
    const pool = n < all.length ? all.subset(Int32Array.from({ length: n }, (_, i) => i)) : all;
    ({ train: this.train, val: this.val } = splitTrainVal(pool, setup.val, setup.seed));
    this.test = data.test ? fashionMNISTDataset(data.test) : this.val;
    this.model = buildModel(setup);
    this.optimizer = buildOptimizer(this.model, setup, this.totalSteps);
    this.metrics = new MetricAccumulator(this.optimizer.rt);
    this.step = this.compileStep();
    this.loader = new DataLoader(this.train, { batchSize: setup.batch, seed: setup.seed });
    this.batchesLeft = this.loader.batches(0);
  }

  get batchesPerEpoch(): number { return this.loader.batchesPerEpoch; }
  get totalSteps(): number { return this.setup.epochs * Math.ceil(this.train.length / this.setup.batch); }
  get done(): boolean { return this.epoch >= this.setup.epochs; }
  /** Dispatches of one replay of the training step (after its first call). */
  get dispatches(): number { return this.step.dispatches(); }
  get stepMemory() { return this.step.memory(); }

  private compileStep(): CompiledStep<Tensor> {
    const { model, optimizer, metrics } = this;
    return compile((x: Tensor, y: Tensor) => {
      optimizer.zeroGrad();
      const logits = model.forward(x);
      const loss = crossEntropy(logits, y);
      metrics.add(loss, logits, y);
      loss.backward();
      optimizer.step();
      return loss;
    }, { name: 'studio step', runtime: optimizer.rt, inputShapes: [[1, 28, 28], []] });
  }

  /**
   * Takes a new setup that keeps this run: hyperparameters go to the optimizer as data; a new batch size or dropout
   * rate re-plans the step (same weights and optimizer state). Returns false when the change needs a new run.
   */
  update(next: StudioSetup): boolean {
    const change = setupChange(this.setup, next);
    if (change === 'rebuild') return false;
    const prev = this.setup;
    this.setup = next;
    applyLiveSetup(this.optimizer, next, this.totalSteps);
    if (next.dropout !== prev.dropout) {
      setDropout(this.model, next.dropout);
      this.step.dispose();
      this.step = this.compileStep();
    }
    if (next.batch !== prev.batch) {
      // The rest of this epoch in batches of the new size: skip what was already seen.
      this.loader = new DataLoader(this.train, { batchSize: next.batch, seed: next.seed });
      this.batchesLeft = this.loader.batches(this.epoch);
      for (let skip = Math.floor(this.seenInEpoch / next.batch); skip > 0; skip--) this.batchesLeft.next();
    }
    return true;
  }

  /** Queues one training step; 'epoch' when the epoch's batches are used up (call endEpoch), 'done' after the last epoch. */
  queueStep(): 'stepped' | 'epoch' | 'done' {
    if (this.done) return 'done';
    const next = this.batchesLeft.next();
    if (next.done) return 'epoch';
    const b = next.value;
    const lr = this.optimizer.lr;
    this.model.train();
    const loss = this.step(b.x, b.y);
    this.metrics.countBatch(b.size);
    this.steps++;
    this.samples += b.size;
    this.seenInEpoch += b.size;
    this.pending.push({ step: this.steps, epoch: this.epoch + this.seenInEpoch / this.train.length, lr, loss });
    return 'stepped';
  }

  /** Reads the losses of the steps queued since the last read (one small readback each, awaited together). */
  async readPoints(): Promise<StepPoint[]> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return [];
    const values = await Promise.all(batch.map((p) => p.loss.item()));
    for (const p of batch) p.loss.dispose();
    const now = performance.now(), dt = (now - this.lastRead.time) / 1000;
    const stepsPerSec = (this.steps - this.lastRead.steps) / dt, samplesPerSec = (this.samples - this.lastRead.samples) / dt;
    this.lastRead = { time: now, steps: this.steps, samples: this.samples };
    return batch.map((p, i) => ({ step: p.step, epoch: p.epoch, loss: values[i]!, lr: p.lr, stepsPerSec, samplesPerSec }));
  }

  /** Closes the epoch: train metrics from the GPU sums, validation loss, accuracy and confusion matrix in eval mode. */
  async endEpoch(): Promise<EpochPoint> {
    const trainM = await this.metrics.read();
    this.metrics.reset();
    this.epoch++;
    this.seenInEpoch = 0;
    this.batchesLeft = this.loader.batches(this.epoch);
    const v = await evaluateWithConfusion(this.model, this.val, 256);
    return { epoch: this.epoch, step: this.steps, trainLoss: trainM.loss, trainAcc: trainM.accuracy, valLoss: v.loss, valAcc: v.accuracy, confusion: v.confusion };
  }

  /** Restarts the timing of steps/s (after a pause, so the idle time does not count). */
  resumeClock(): void {
    this.lastRead = { time: performance.now(), steps: this.steps, samples: this.samples };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.pending) p.loss.dispose();
    this.step.dispose();
    this.metrics.dispose();
    this.optimizer.dispose();
    this.model.dispose();
  }
}

/** Mean cross-entropy, accuracy and the confusion matrix (rows: true class, columns: predicted) in eval mode. */
export async function evaluateWithConfusion(model: Sequential, data: InMemoryDataset, batchSize: number): Promise<{ loss: number; accuracy: number; confusion: number[][] }> {
  const wasTraining = model.training;
  model.eval();
  const confusion = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
  let lossSum = 0, correct = 0;
  try {
    const reads: Promise<[number, Int32Array, Int32Array]>[] = [];
    for (const b of new DataLoader(data, { batchSize, shuffle: false }).batches()) {
      const [loss, pred] = tidy(() => noGrad(() => {
        const logits = model.forward(tensor(b.x, b.shape));
        return [keep(crossEntropy(logits, b.y, { reduction: 'sum' })), keep(argmax(logits, 1))];
      }));
      reads.push(Promise.all([loss.item(), pred.toArray() as Promise<Int32Array>]).then(([l, p]) => {
        loss.dispose();
        pred.dispose();
        return [l, p, b.y];
      }));
    }
    for (const [l, pred, y] of await Promise.all(reads)) {
      lossSum += l;
      pred.forEach((p, i) => {
        confusion[y[i]!]![p]!++;
        if (p === y[i]) correct++;
      });
    }
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / data.length, accuracy: correct / data.length, confusion };
}
