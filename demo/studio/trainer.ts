// One Studio run inside the worker: the shared training session (app/session/trainer.ts: model, optimizer, schedule,
// data split, compiled step, live hyperparameters) stepped a few batches at a time, plus what the Studio shows beyond
// it: every step's loss and throughput, and at each epoch's end the validation confusion matrix.
import { DataLoader, argmax, crossEntropy, fashionMNISTDataset, keep, noGrad, tensor, tidy, type InMemoryDataset, type Sequential } from '../../src/index.js';
import { Trainer } from '../../app/session/trainer.js';
import type { StudioData } from './data.js';
import type { EpochPoint, StepPoint } from './protocol.js';
import { sessionOptions, type StudioSetup } from './setup.js';

export const CLASSES = 10;

export class StudioRun {
  readonly trainer: Trainer;
  /** Test images for the gallery: the test split, else validation, else training images. */
  readonly test: InMemoryDataset;
  private points: StepPoint[] = [];
  private clock = { time: performance.now(), steps: 0 };

  constructor(readonly built: StudioSetup, data: StudioData) {
    // Every step's loss is read back (asynchronously; the CPU stays one step ahead), for a raw curve with a point per step.
    // In-step statistics (the layer view): computed inside the compiled step only at requested replays.
    this.trainer = new Trainer(sessionOptions(built), fashionMNISTDataset(data.train), {
      lossEvery: 1,
      stats: { bins: 40 },
      onStep: (r) => this.points.push({ step: r.step, epoch: r.epoch - 1 + r.batch / r.batches, loss: r.loss, lr: r.lr, samplesPerSec: r.samplesPerSec, stepsPerSec: NaN }),
    });
    this.test = data.test ? fashionMNISTDataset(data.test) : this.trainer.val ?? this.trainer.train;
  }

  get model(): Sequential { return this.trainer.model; }
  get train(): InMemoryDataset { return this.trainer.train; }
  /** Validation images (the training images when valFraction is 0). */
  get val(): InMemoryDataset { return this.trainer.val ?? this.trainer.train; }
  get steps(): number { return this.trainer.stepCount; }
  /** Epochs finished. */
  get epoch(): number { return this.trainer.history.length; }
  get epochs(): number { return this.trainer.options.epochs; }
  get done(): boolean { return this.trainer.done; }
  get batchesPerEpoch(): number { return this.trainer.stepsPerEpoch; }
  get dispatches(): number { return this.trainer.step.dispatches(); }
  get stepMemory() { return this.trainer.step.memory(); }

  /** Runs up to `n` steps (stopping at an epoch's end); the epoch's metrics and confusion matrix when one ended. */
  async advance(n: number): Promise<EpochPoint | null> {
    const report = await this.trainer.stepBatches(n);
    if (!report) return null;
    const v = await evaluateWithConfusion(this.model, this.val, 256);
    return { epoch: report.epoch, step: this.steps, trainLoss: report.trainLoss, trainAcc: report.trainAcc, valLoss: report.valLoss, valAcc: report.valAcc, confusion: v.confusion };
  }

  /** The losses read back since the last call, with the steps/s since then. */
  async takePoints(): Promise<StepPoint[]> {
    await this.trainer.flush();
    const out = this.points;
    this.points = [];
    const now = performance.now();
    const stepsPerSec = (this.steps - this.clock.steps) / ((now - this.clock.time) / 1000);
    this.clock = { time: now, steps: this.steps };
    for (const p of out) p.stepsPerSec = stepsPerSec;
    return out;
  }

  /** Applies a setup's live values; false when it needs a new run. */
  apply(next: StudioSetup): boolean {
    if (next.data !== this.built.data) return false;
    return this.trainer.apply(sessionOptions(next)).length === 0;
  }

  /** Restarts the steps/s clock (after a pause, so the idle time does not count). */
  resumeClock(): void {
    this.clock = { time: performance.now(), steps: this.steps };
  }

  dispose(): void {
    this.trainer.dispose();
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
