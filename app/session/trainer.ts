// A steppable training session: options → data split, model, optimizer, schedule and one compiled step,
// driven a few batches at a time (the Studio's worker: play, pause, one step) or epoch by epoch
// (`npm run train`). Losses are read back asynchronously every `lossEvery` steps, per-epoch metrics are summed
// on the GPU; lr, l2, momentum and dropout change live without a new trace.
import { ArgumentError } from '../../src/errors.js';
import { compile, type CompiledStep } from '../../src/executor/compile.js';
import { DataLoader, splitTrainVal, type Batch, type InMemoryDataset } from '../../src/data/loader.js';
import * as G from '../../src/grad/index.js';
import { saveModel } from '../../src/io/model.js';
import { optimizerStateTensors } from '../../src/io/optimizer-state.js';
import { Dropout } from '../../src/nn/layers.js';
import type { Sequential } from '../../src/nn/module.js';
import { seed as seedRng } from '../../src/ops/creation.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import type { Tensor } from '../../src/tensor.js';
import { evaluate } from '../../src/train/fit.js';
import { MetricAccumulator } from '../../src/train/metrics.js';
import { NonFiniteLossError, resetStepCounter, watchLoss } from '../../src/ops/step-fault.js';
import type { TTAView } from '../../src/augment/views.js';
import type { LoadReport } from '../../src/io/model.js';
import type { Augment } from '../../src/nn/augment.js';
import { prepareModel, trainingAugment, type TransferOptions } from './transfer.js';
import type { EpochMetrics, StepLoss } from '../../src/report/training.js';
import { ProgressPace } from '../../src/train/progress-pace.js';
import { StepStats, type StepStatsOptions, type StepStatsReport } from '../../src/train/step-stats.js';
import type { ModelSummary } from '../../src/nn/summary.js';
import { buildModel, FASHION_MNIST_INPUT, type InputSpec } from './models.js';
import { buildOptimizer, buildSchedule } from './optimizer.js';
import { REPLAN_IN_PLACE, replanKeys, resolveOptions, USES_MOMENTUM, type SessionOptions } from './options.js';

/** A training loss read back from the GPU (step and batch from 1), with this epoch's samples per second up to that
 * batch, measured when its loss came back (the GPU had finished it). */
export interface StepReport extends StepLoss {
  samplesPerSec: number;
}

/** An epoch's metrics (valLoss/valAcc NaN without a validation part), as the CLI's report keeps them. */
export type EpochReport = EpochMetrics;

export interface TrainerEvents {
  onStep?(r: StepReport): void;
  onEpoch?(r: EpochReport): void | Promise<void>;
}

export interface TrainerConfig extends TrainerEvents {
  /**
   * Read a training loss back every this many steps (default 10), or a function of the steps per epoch; it
   * also bounds how far the CPU runs ahead of the GPU.
   */
  lossEvery?: number | ((stepsPerEpoch: number) => number);
  /**
   * Time-paced progress (the CLI's, as fit's `progressMs`): read the first batch's loss, then about every this
   * many milliseconds, at most `lossEvery` batches apart, with the CPU queueing only about that much work
   * ahead (src/train/progress-pace.ts). Unset: a read every `lossEvery` steps.
   */
  progressMs?: number;
  /** Input shape and classes of the data (default Fashion-MNIST's 1×28×28, 10 classes). */
  input?: InputSpec;
  /**
   * Compute per-layer activation and per-parameter gradient/update statistics inside the step when asked
   * (requestStats / readStats; default false: the step has no statistics dispatches at all).
   */
  stats?: boolean | StepStatsOptions;
  /**
   * Stop at the first NaN/±Inf training loss with a NonFiniteLossError naming the epoch and batch (default
   * true, as in the CLI and the Studio): the loss is watched on the GPU in every step, that step's update is
   * skipped, so the model keeps the weights of the last finite step.
   */
  stopOnNonFinite?: boolean;
  /** Start from given weights, freeze layers, augment training batches, test with TTA (`npm run train`'s flags). */
  transfer?: TransferOptions;
}

/** The training and validation parts of a data pool: the first `subset` samples, split by `valFraction` with the seed. */
export function splitData(pool: InMemoryDataset, o: SessionOptions): { train: InMemoryDataset; val: InMemoryDataset | null } {
  const n = o.subset > 0 ? Math.min(o.subset, pool.length) : pool.length;
  const used = n < pool.length ? pool.subset(Int32Array.from({ length: n }, (_, i) => i)) : pool;
  if (o.valFraction === 0) return { train: used, val: null };
  if (Math.round(n * o.valFraction) === 0 || Math.round(n * o.valFraction) === n) {
    throw new ArgumentError('session', `valFraction ${o.valFraction} of ${n} training samples leaves an empty part: use more samples or valFraction 0`);
  }
  return splitTrainVal(used, o.valFraction, o.seed);
}

export class Trainer {
  /** The options the model, optimizer and step were built with, with live changes applied. */
  readonly options: SessionOptions;
  readonly model: Sequential;
  readonly optimizer: Optimizer;
  readonly train: InMemoryDataset;
  readonly val: InMemoryDataset | null;
  private compiled: CompiledStep<Tensor>;
  private readonly built: SessionOptions;
  private loader: DataLoader;
  private readonly metrics: MetricAccumulator;
  private readonly stats: StepStats | null;
  private lossEvery: number;
  private readonly lossEveryOption: number | ((stepsPerEpoch: number) => number);
  private readonly stopOnNonFinite: boolean;
  private readonly events: TrainerEvents;
  private epochIndex = 0;
  private batches: Generator<Batch> | null = null;
  private batchInEpoch = 0;
  /** Batches of the current epoch (differs from stepsPerEpoch in the epoch where the batch size changed). */
  private epochBatches = 0;
  /** Samples of the current epoch's order already trained on. */
  private epochSamples = 0;
  private epochStart = 0;
  private pending: Promise<void> | null = null;
  private pace: ProgressPace | null = null;
  private readonly progressMs: number | undefined;
  private steps = 0;
  private disposed = false;
  readonly history: EpochReport[] = [];
  /** What `transfer.initWeights` loaded and skipped. */
  readonly loadReport: LoadReport | undefined;
  private readonly augment: Augment | null;
  private readonly tta: TTAView[] | undefined;

  /** Builds everything; nothing runs on the GPU until the first step (which traces). */
  constructor(options: Partial<SessionOptions>, pool: InMemoryDataset, config: TrainerConfig = {}) {
    const o = resolveOptions(options);
    const { train, val } = splitData(pool, o);
    this.options = o;
    this.built = { ...o, hidden: [...o.hidden] };
    this.train = train;
    this.val = val;
    this.loader = new DataLoader(train, { batchSize: o.batchSize, seed: o.seed });
    this.lossEveryOption = config.lossEvery ?? 10;
    this.lossEvery = this.lossEveryFor(this.stepsPerEpoch);
    this.events = config;
    this.stopOnNonFinite = config.stopOnNonFinite ?? true;
    this.progressMs = config.progressMs;
    const watch = this.stopOnNonFinite;
    seedRng(o.seed);
    const input = config.input ?? FASHION_MNIST_INPUT;
    this.model = buildModel(o, input);
    const transfer = config.transfer ?? {};
    try {
      this.loadReport = prepareModel(this.model, transfer);
      this.optimizer = buildOptimizer(this.model.parameters(), o, this.stepsPerEpoch);
    } catch (e) {
      this.model.dispose();   // a bad layer index, a file that does not fit, nothing left to train
      throw e;
    }
    const aug = trainingAugment(transfer, o.seed, [input.size, input.size]);
    this.augment = aug;
    this.tta = transfer.tta;
    const rt = this.optimizer.rt;
    this.metrics = new MetricAccumulator(rt);
    const stats = config.stats ? new StepStats(this.model, this.optimizer, config.stats === true ? {} : config.stats) : null;
    this.stats = stats;
    this.compiled = this.compileStep(watch);
  }

  /** The compiled training step (its counts() and memory() describe the plan once the first batch ran). */
  get step(): CompiledStep<Tensor> {
    return this.compiled;
  }

  /** Batches per epoch at the current batch size. */
  get stepsPerEpoch(): number {
    return this.loader.batchesPerEpoch;
  }

  /** Updates left until every epoch has run (at the current batch size). */
  get stepsLeft(): number {
    if (this.done) return 0;
    const thisEpoch = this.batches ? this.epochBatches - this.batchInEpoch : this.stepsPerEpoch;
    return thisEpoch + (this.options.epochs - this.epochIndex - 1) * this.stepsPerEpoch;
  }

  /** Epoch being run (1-based), or the last one once all have run. */
  get epoch(): number {
    return Math.min(this.epochIndex + 1, this.options.epochs);
  }

  /** Updates made so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Every epoch has run. */
  get done(): boolean {
    return this.epochIndex >= this.options.epochs;
  }

  /**
   * Runs up to `n` batches, stopping early at the end of an epoch, whose validation then runs and whose
   * report goes to onEpoch (and is returned). Resolves once the work is queued and earlier loss reads
   * have come back, so a caller looping on it never runs far ahead of the GPU.
   */
  async stepBatches(n = 1): Promise<EpochReport | null> {
    this.checkAlive('stepBatches');
    if (this.done) return null;
    if (!this.batches) this.beginEpoch();
    for (let i = 0; i < n; i++) {
      // Read each time: setBatchSize may swap the generator while a batch's loss is awaited.
      const next = this.batches!.next();
      if (next.done) break;
      await this.withEpoch(this.runBatch(next.value));
      if (this.batchInEpoch === this.epochBatches) break;
    }
    return this.batchInEpoch === this.epochBatches ? this.withEpoch(this.endEpoch()) : null;
  }

  /** Runs the rest of the current epoch (a whole one from its start). */
  async runEpoch(): Promise<EpochReport | null> {
    this.checkAlive('runEpoch');
    if (this.done) return null;
    let report: EpochReport | null = null;
    while (!report) report = await this.stepBatches(this.stepsPerEpoch);
    return report;
  }

  /** Runs every remaining epoch; returns the history. */
  async run(): Promise<EpochReport[]> {
    while (!this.done) await this.runEpoch();
    return this.history;
  }

  /** Mean loss and accuracy in eval mode (the model goes back to training mode after). */
  evaluate(data: InMemoryDataset, batchSize = 256): Promise<{ loss: number; accuracy: number; samples: number }> {
    this.checkAlive('evaluate');
    // With TTA each image is several views: a batch holds as many images as fit in batchSize views.
    return evaluate(this.model, data, { batchSize: this.tta ? Math.max(1, Math.floor(batchSize / this.tta.length)) : batchSize, tta: this.tta });
  }

  /** Base learning rate (the schedule's η₀) from the next step on. */
  setLr(lr: number): void {
    this.optimizer.setLr(lr);
    this.options.lr = lr;
  }

  /** L2 penalty (AdamW: decoupled weight decay) from the next step on. */
  setL2(l2: number): void {
    this.optimizer.setHyperparameters({ weightDecay: l2 });
    this.options.l2 = l2;
  }

  /** SGD momentum from the next step on (optimizers 'momentum' and 'nesterov'; from 0 needs a new session). */
  setMomentum(momentum: number): void {
    if (!USES_MOMENTUM.includes(this.built.optimizer)) throw new ArgumentError('session', `${this.built.optimizer} has no momentum to set (optimizers ${USES_MOMENTUM.join(', ')} have)`);
    this.optimizer.setHyperparameters({ momentum });
    this.options.momentum = momentum;
  }

  /** Dropout probability of every Dropout layer from the next step on (a model built with dropout 0 has none). */
  setDropout(p: number): void {
    const layers = this.dropoutLayers();
    if (layers.length === 0 && p !== 0) throw new ArgumentError('session', `the model was built without dropout layers (dropout 0): dropout ${p} needs a new session`);
    if (!(p >= 0 && p < 1)) throw new ArgumentError('session', `dropout must be at least 0 and below 1, got ${p}`);
    for (const d of layers) d.p = p;
    this.options.dropout = p;
  }

  /**
   * Re-plans the step for batches of `n` from the next step on, keeping everything that does not depend on the
   * batch size: the weights, the optimizer's state (momentum, Adam's moments) and its step count, the history,
   * and the epoch in progress, which continues in the same sample order from the first sample not yet trained
   * on. The learning-rate schedule is rebuilt for the new steps per epoch, at the same global step. The old
   * batch size's plans are disposed (their buffers go back to the pool); the next step traces the new one.
   */
  setBatchSize(n: number): void {
    this.checkAlive('setBatchSize');
    const o = resolveOptions({ ...this.options, batchSize: n });
    if (n === this.loader.batchSize) return;
    this.loader = new DataLoader(this.train, { batchSize: n, seed: o.seed });
    this.options.batchSize = n;
    this.built.batchSize = n;
    this.lossEvery = this.lossEveryFor(this.stepsPerEpoch);
    this.optimizer.schedule = buildSchedule(this.options, this.stepsPerEpoch);
    this.compiled.dispose();
    this.compiled = this.compileStep(this.stopOnNonFinite);
    if (this.batches) {
      // Mid-epoch: the rest of this epoch's order, at the new size.
      this.batches = this.loader.batches(this.epochIndex, this.epochSamples);
      this.epochBatches = this.batchInEpoch + this.loader.batchesFrom(this.epochSamples);
    }
  }

  /**
   * Applies a new setup's live values (lr, l2, momentum, dropout) and a new batch size (setBatchSize: same
   * weights, re-planned step) and returns [] — or, when anything else changed, applies nothing and returns the
   * keys that need a new session (see replanKeys).
   */
  apply(next: Partial<SessionOptions>): string[] {
    const to = resolveOptions({ ...this.options, ...next });
    const replan = replanKeys(this.built, to).filter((k) => !REPLAN_IN_PLACE.includes(k));
    if (replan.length) return replan;
    if (to.batchSize !== this.options.batchSize) this.setBatchSize(to.batchSize);
    if (to.lr !== this.options.lr) this.setLr(to.lr);
    if (to.l2 !== this.options.l2) this.setL2(to.l2);
    if (to.momentum !== this.options.momentum) {
      if (USES_MOMENTUM.includes(this.built.optimizer)) this.setMomentum(to.momentum);
      else this.options.momentum = to.momentum;
    }
    if (to.dropout !== this.options.dropout) this.setDropout(to.dropout);
    // More or fewer epochs (not below the ones already run).
    this.options.epochs = Math.max(to.epochs, this.epochIndex);
    return [];
  }

  /** The next step computes layer and parameter statistics (needs the `stats` config). */
  requestStats(): void {
    if (!this.stats) throw new ArgumentError('session', 'the trainer was built without `stats: true`');
    this.stats.request();
  }

  /** The statistics of the last requested step, read asynchronously (null before one ran). */
  readStats(): Promise<StepStatsReport | null> {
    if (!this.stats) throw new ArgumentError('session', 'the trainer was built without `stats: true`');
    return this.stats.read();
  }

  /** Layers, output shapes for one batch, parameters and bytes; once a step ran, its dispatches and memory. */
  summary(): ModelSummary {
    this.checkAlive('summary');
    return this.model.summary([this.options.batchSize, ...this.train.sampleShape], this.step);
  }

  /** Weights and optimizer state as safetensors (PyTorch names; the optimizer's under `optimizer.`). */
  async checkpoint(metadata: Record<string, string> = {}): Promise<Uint8Array> {
    this.checkAlive('checkpoint');
    const state = optimizerStateTensors(this.optimizer);
    try {
      return await saveModel(this.model, { optimizerState: state.tensors, metadata: { model: this.options.model, ...metadata } });
    } finally {
      state.dispose();
    }
  }

  /** Waits for the loss reads in flight. */
  async flush(): Promise<void> {
    await this.pace?.drain();
    if (this.pending) await this.pending;
    this.pending = null;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.compiled.dispose();
    this.stats?.dispose();
    this.augment?.dispose();
    this.metrics.dispose();
    this.optimizer.disposeWithModel(this.model);
  }

  private lossEveryFor(stepsPerEpoch: number): number {
    const every = this.lossEveryOption;
    return Math.max(1, Math.round(typeof every === 'function' ? every(stepsPerEpoch) : every));
  }

  /** One training step (traced at its first call for each batch shape). */
  private compileStep(watch: boolean): CompiledStep<Tensor> {
    const aug = this.augment, stats = this.stats;
    return compile((x: Tensor, y: Tensor) => {
      this.optimizer.zeroGrad();
      const seen = aug ? aug.forward(x) : x;
      const logits = stats ? stats.forward(seen) : this.model.forward(seen);
      const loss = G.crossEntropy(logits, y);
      this.metrics.add(loss, logits, y);
      if (watch) watchLoss('session', loss);
      loss.backward();
      stats?.beforeUpdate();
      this.optimizer.step();
      stats?.afterUpdate();
      return loss;
    }, { name: 'session step', runtime: this.optimizer.rt, inputShapes: [this.train.sampleShape, []] });
  }

  private dropoutLayers(): Dropout[] {
    const out: Dropout[] = [];
    const visit = (m: { namedChildren(): [string, unknown][] }) => {
      for (const [, c] of m.namedChildren()) {
        if (c instanceof Dropout) out.push(c);
        visit(c as typeof m);
      }
    };
    visit(this.model);
    return out;
  }

  private beginEpoch(): void {
    this.model.train();
    this.augment?.train();
    this.metrics.reset();
    this.batches = this.loader.batches(this.epochIndex);
    if (this.stopOnNonFinite) resetStepCounter(this.optimizer.rt);
    this.batchInEpoch = 0;
    this.epochBatches = this.stepsPerEpoch;
    this.epochSamples = 0;
    this.epochStart = performance.now();
    if (this.progressMs !== undefined) this.pace = new ProgressPace(this.epochStart, this.lossEvery, this.progressMs);
  }

  private async runBatch(b: Batch): Promise<void> {
    const lr = this.optimizer.lr;
    const loss = this.step(b.x, b.y);
    this.steps++;
    this.batchInEpoch++;
    this.epochSamples += b.size;
    this.metrics.countBatch(b.size);
    if (this.pace) return this.pacedRead(loss, lr);
    if (this.batchInEpoch % this.lossEvery !== 0 && this.batchInEpoch !== this.epochBatches) {
      loss.dispose();
      return;
    }
    // Waiting for the previous read bounds how far the CPU queues work ahead of the GPU.
    await this.flush();
    const info = { step: this.steps, epoch: this.epochIndex + 1, batch: this.batchInEpoch, batches: this.epochBatches, lr };
    const done = this.metrics.samples, start = this.epochStart;
    this.pending = loss.item().then((v) => {
      this.events.onStep?.({ ...info, loss: v, samplesPerSec: done / ((performance.now() - start) / 1000) });
    }).finally(() => loss.dispose());
  }

  private async pacedRead(loss: Tensor, lr: number): Promise<void> {
    const pace = this.pace!, batch = this.batchInEpoch, batches = this.epochBatches;
    const wait = pace.beforeNext(batch, batches);
    if (wait) await wait;
    if (!pace.due(batch, batches)) {
      loss.dispose();
      return;
    }
    const info = { step: this.steps, epoch: this.epochIndex + 1, batch, batches, lr };
    const done = this.metrics.samples, start = this.epochStart;
    const read = loss.item().then((v) => {
      this.events.onStep?.({ ...info, loss: v, samplesPerSec: done / ((performance.now() - start) / 1000) });
    }).finally(() => loss.dispose());
    read.catch(() => {}); // awaited through the pace (flush); a failure elsewhere first must not leave it unhandled
    pace.reading(batch, read);
  }

  private async endEpoch(): Promise<EpochReport> {
    await this.flush();
    const m = await this.metrics.read();
    const seconds = (performance.now() - this.epochStart) / 1000;
    const val = this.val ? await evaluate(this.model, this.val, { batchSize: this.options.batchSize }) : null;
    this.epochIndex++;
    this.batches = null;
    const report: EpochReport = {
      epoch: this.epochIndex, trainLoss: m.loss, trainAcc: m.accuracy, valLoss: val?.loss ?? NaN, valAcc: val?.accuracy ?? NaN,
      lr: this.optimizer.lr, samplesPerSec: m.samples / seconds, seconds,
    };
    this.history.push(report);
    await this.events.onEpoch?.(report);
    return report;
  }

  /** A non-finite loss fault knows its batch (from the GPU record); the epoch is known here. */
  private async withEpoch<T>(work: Promise<T>): Promise<T> {
    const epoch = this.epochIndex + 1;
    try {
      return await work;
    } catch (e) {
      if (e instanceof NonFiniteLossError && e.epoch === null) throw new NonFiniteLossError(e.value, e.batch, epoch);
      throw e;
    }
  }

  private checkAlive(op: string): void {
    if (this.disposed) throw new ArgumentError(`Trainer.${op}`, 'the trainer was disposed');
  }
}
