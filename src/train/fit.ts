import { noGrad } from '../autograd.js';
import { ArgumentError } from '../errors.js';
import { compile, type CompiledStep } from '../executor/compile.js';
import { DataLoader, type InMemoryDataset } from '../data/loader.js';
import { saveModel } from '../io/model.js';
import { optimizerStateTensors } from '../io/optimizer-state.js';
import * as G from '../grad/index.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { tidy, type Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import { NonFiniteLossError, resetStepCounter, watchLoss } from '../ops/step-fault.js';
import { checkOptimizerOwnsModel } from './fit-checks.js';
import type { TTAView } from '../augment/views.js';
import { ttaLogits } from './tta.js';
import { MetricAccumulator } from './metrics.js';
import { ProgressPace } from './progress-pace.js';
import { restoreSnapshot, snapshot, type Snapshot } from './snapshot.js';

export type LossFn = (logits: Tensor, labels: Tensor) => Tensor;

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number | null;
  valAcc: number | null;
  /** Learning rate at the end of the epoch. */
  lr: number;
  samplesPerSec: number;
  seconds: number;
}

export interface BatchInfo {
  epoch: number;
  batch: number;
  batches: number;
  /**
   * Training samples of this epoch up to this batch per second since the epoch began, measured when the
   * batch's loss came back, i.e. when the GPU had finished it (steps are queued ahead of the GPU: counting
   * them when queued would overstate the throughput many times).
   */
  samplesPerSec: number;
  /** The batch's loss, when it was read back (every `lossEvery` batches). */
  loss?: number;
}

export interface Callbacks {
  onBatchEnd?(info: BatchInfo): void;
  /** Return 'stop' to end training after this epoch. */
  onEpochEnd?(m: EpochMetrics): void | 'stop' | Promise<void | 'stop'>;
}

export interface EarlyStopping {
  /** Epochs without improvement before stopping (default 3). */
  patience?: number;
  monitor?: 'valAcc' | 'valLoss';
  /** Smallest change that counts as improvement (default 0). */
  minDelta?: number;
  /** Put back the best epoch's parameters and buffers at the end (default true; TF.js's restoreBestWeights is not implemented). */
  restoreBest?: boolean;
}

/**
 * Checkpoints during `fit`: the model's state dict (PyTorch names) with the optimizer's state under
 * `optimizer.` (`optimizerStateTensors`), as safetensors bytes, handed to `save` — write them to a file in
 * Node, offer a download or IndexedDB in a page. Resume with `loadModel` then `loadOptimizerState`.
 */
export interface Checkpoints {
  save(bytes: Uint8Array, info: { epoch: number; metrics: EpochMetrics }): void | Promise<void>;
  /** Every this many epochs (default 1). */
  every?: number;
  /** Only epochs whose validation metric improved on every earlier epoch's (needs `validation`). */
  bestOnly?: boolean;
  /** The metric for `bestOnly` (default 'valAcc'). */
  monitor?: 'valAcc' | 'valLoss';
}

export interface FitOptions {
  /** The last epoch to train (1-based), as in Keras: with `initialEpoch`, epochs initialEpoch + 1 … epochs run. */
  epochs: number;
  /**
   * Epochs already trained (default 0), to resume from a checkpoint: numbering, the loader's shuffle order
   * (a function of the seed and the epoch) and so the whole batch sequence continue as in an uninterrupted
   * run. Load the checkpoint's weights and optimizer state first (`loadModel`, `loadOptimizerState`).
   */
  initialEpoch?: number;
  batchSize: number;
  optimizer: Optimizer;
  /** Default: softmax cross-entropy from logits with integer labels (mean). */
  loss?: LossFn;
  validation?: InMemoryDataset;
  callbacks?: Callbacks;
  earlyStopping?: EarlyStopping;
  /** Shuffling seed (epoch e's order depends on (seed, e) only). */
  seed?: number;
  /** Record the step once and replay it (default true); false runs every op eagerly. */
  compile?: boolean;
  /**
   * Progress (`onBatchEnd`) comes at the first batch, then about every `progressMs` milliseconds (default
   * 1000), and at each epoch's last batch: each report reads that batch's loss back (4 bytes, no wait for the
   * queue to drain). Between reads the CPU queues only about `progressMs` worth of steps ahead of the GPU,
   * so a slow device still reports every batch or two.
   */
  progressMs?: number;
  /** At most this many batches between loss reads (default 20); at most twice as many steps are queued ahead of the GPU. */
  lossEvery?: number;
  checkpoints?: Checkpoints;
  /**
   * Stop at the first NaN/±Inf training loss with a NonFiniteLossError naming the epoch and batch (default
   * false; the CLI turns it on). Watched on the GPU in every step: that step's update is skipped, so the
   * model keeps the weights of the last finite step, and no checkpoint of that epoch is written.
   */
  stopOnNonFinite?: boolean;
  /** Applied to each training batch inside the compiled step (e.g. `augment([...])`), never to validation. */
  augment?: Module;
}

export interface FitResult {
  history: EpochMetrics[];
  /** Epoch (1-based) whose parameters the model holds at the end (the best one with early stopping). */
  bestEpoch: number;
  stoppedEarly: boolean;
}

const crossEntropyLoss: LossFn = (logits, labels) => G.crossEntropy(logits, labels);

/**
 * Trains `model` on a dataset: per epoch, shuffled mini-batches (the last partial one included), one
 * compiled step per batch (forward, backward, fused optimizer update: one queue.submit), metrics summed on
 * the GPU and read once per epoch, then validation in eval mode. Early stopping keeps a GPU snapshot of
 * the best epoch and restores it.
 */
export async function fit(model: Module, train: InMemoryDataset, opts: FitOptions): Promise<FitResult> {
  const { optimizer } = opts;
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1) throw new ArgumentError('fit', `epochs must be a positive integer, got ${opts.epochs}`);
  checkOptimizerOwnsModel('fit', model, optimizer);
  const initialEpoch = opts.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= opts.epochs) {
    throw new ArgumentError('fit', `initialEpoch must be an integer in [0, epochs = ${opts.epochs}) (the epochs already trained), got ${opts.initialEpoch}`);
  }
  if (train.length === 0) throw new ArgumentError('fit', 'the training set is empty');
  if (opts.validation?.length === 0) throw new ArgumentError('fit', 'the validation set is empty');
  const rt = optimizer.rt;
  const lossFn = opts.loss ?? crossEntropyLoss;
  const loader = new DataLoader(train, { batchSize: opts.batchSize, seed: opts.seed ?? 0 });
  const metrics = new MetricAccumulator(rt);
  const sampleShape = train.sampleShape;
  const trainStep = (x: Tensor, y: Tensor) => {
    optimizer.zeroGrad();
    const logits = model.forward(opts.augment ? opts.augment.forward(x) : x);
    const loss = lossFn(logits, y);
    metrics.add(loss, logits, y);
    if (opts.stopOnNonFinite) watchLoss('fit', loss);
    loss.backward();
    optimizer.step();
    return loss;
  };
  const step: CompiledStep<Tensor> | null = opts.compile === false ? null : compile(trainStep, { name: 'fit step', runtime: rt, inputShapes: [sampleShape, []] });
  const every = Math.max(1, opts.lossEvery ?? 20);
  const progressMs = opts.progressMs ?? 1000;
  if (!(progressMs >= 0)) throw new ArgumentError('fit', `progressMs must be a non-negative number, got ${opts.progressMs}`);
  const es = opts.earlyStopping;
  const monitor = es?.monitor ?? 'valAcc';
  if (es && !opts.validation) throw new ArgumentError('fit', 'earlyStopping needs a validation set');
  const ck = opts.checkpoints;
  if (ck?.bestOnly && !opts.validation) throw new ArgumentError('fit', 'checkpoints.bestOnly needs a validation set');
  const ckEvery = ck?.every ?? 1;
  if (ck && !(Number.isInteger(ckEvery) && ckEvery >= 1)) throw new ArgumentError('fit', `checkpoints.every must be a positive integer, got ${ck.every}`);
  let ckBest = -Infinity;
  let best: { value: number; epoch: number; snap: Snapshot | null } | null = null;
  let waited = 0, stoppedEarly = false;
  const history: EpochMetrics[] = [];
  let epoch = 0;
  try {
    for (epoch = initialEpoch + 1; epoch <= opts.epochs; epoch++) {
      model.train();
      opts.augment?.train();
      metrics.reset();
      if (opts.stopOnNonFinite) resetStepCounter(rt);
      const start = performance.now();
      const batches = loader.batchesPerEpoch;
      const pace = new ProgressPace(start, every, progressMs);
      for (const b of loader.batches(epoch - 1)) {
        let loss: Tensor;
        if (step) loss = step(b.x, b.y);
        // Eagerly, every intermediate of the step is freed with it; only the loss (and the gradients) stay.
        else loss = tidy(() => trainStep(tensor(b.x, b.shape, 'f32', rt), tensor(b.y, [b.size], 'i32', rt)), rt);
        metrics.countBatch(b.size);
        const batch = b.index + 1, done = metrics.samples;
        const wait = pace.beforeNext(batch, batches);
        if (wait) await wait;
        if (pace.due(batch, batches)) {
          const read = loss.item().then((v) => {
            const info: BatchInfo = { epoch, batch, batches, samplesPerSec: done / ((performance.now() - start) / 1000), loss: v };
            opts.callbacks?.onBatchEnd?.(info);
          }).finally(() => loss.dispose());
          // Awaited through the pace; if fit fails first (a lost device), its rejection must not go unhandled.
          read.catch(() => {});
          pace.reading(batch, read);
        } else loss.dispose();
      }
      await pace.drain();
      const trainM = await metrics.read();
      const seconds = (performance.now() - start) / 1000;
      const val = opts.validation ? await evaluate(model, opts.validation, { batchSize: opts.batchSize, loss: lossFn }) : null;
      const m: EpochMetrics = {
        epoch, trainLoss: trainM.loss, trainAcc: trainM.accuracy, valLoss: val?.loss ?? null, valAcc: val?.accuracy ?? null,
        lr: optimizer.lr, samplesPerSec: trainM.samples / seconds, seconds,
      };
      history.push(m);
      if (ck && epoch % ckEvery === 0) {
        const value = ck.bestOnly ? monitored(val!, ck.monitor ?? 'valAcc') : 0;
        if (!ck.bestOnly || value > ckBest) {
          ckBest = value;
          await ck.save(await checkpointBytes(model, optimizer, m), { epoch, metrics: m });
        }
      }
      let stop = (await opts.callbacks?.onEpochEnd?.(m)) === 'stop';
      if (es && val) {
        const value = monitored(val, monitor);
        if (!best || value > best.value + (es.minDelta ?? 0)) {
          best?.snap?.dispose();
          best = { value, epoch, snap: es.restoreBest === false ? null : snapshot(model) };
          waited = 0;
        } else if (++waited >= (es.patience ?? 3)) {
          stop = stoppedEarly = true;
        }
      }
      if (stop) break;
    }
    let bestEpoch = history[history.length - 1]?.epoch ?? initialEpoch;
    if (best?.snap) {
      restoreSnapshot(model, best.snap);
      bestEpoch = best.epoch;
    }
    return { history, bestEpoch, stoppedEarly };
  } catch (e) {
    // The GPU record knows the batch; the epoch is known here.
    if (e instanceof NonFiniteLossError && e.epoch === null && !rt.lostError) throw new NonFiniteLossError(e.value, e.batch, epoch);
    // Once the device is lost, whatever failed first (a step, a readback, a callback) follows from that.
    throw rt.lostError ?? e;
  } finally {
    best?.snap?.dispose();
    step?.dispose();
    metrics.dispose();
  }
}

/** A validation metric as a score where higher is better (early stopping, best-only checkpoints). */
function monitored(val: { loss: number; accuracy: number }, monitor: 'valAcc' | 'valLoss'): number {
  return monitor === 'valAcc' ? val.accuracy : -val.loss;
}

async function checkpointBytes(model: Module, optimizer: Optimizer, m: EpochMetrics): Promise<Uint8Array> {
  const state = optimizerStateTensors(optimizer);
  try {
    const metadata: Record<string, string> = { epoch: String(m.epoch), trainLoss: String(m.trainLoss), trainAcc: String(m.trainAcc) };
    if (m.valLoss !== null) metadata.valLoss = String(m.valLoss);
    if (m.valAcc !== null) metadata.valAcc = String(m.valAcc);
    return await saveModel(model, { optimizerState: state.tensors, metadata });
  } finally {
    state.dispose();
  }
}

export interface EvaluateOptions {
  batchSize?: number;
  loss?: LossFn;
  /** Test-time augmentation: average the softmax outputs over these views (`ttaLogits`). */
  tta?: readonly TTAView[];
}

/** Mean loss and accuracy over a dataset in eval mode (no autodiff), one compiled step per batch shape. */
export async function evaluate(model: Module, data: InMemoryDataset, opts: EvaluateOptions = {}): Promise<{ loss: number; accuracy: number; samples: number }> {
  const wasTraining = model.training;
  model.eval();
  const lossFn = opts.loss ?? crossEntropyLoss;
  const first = model.parameters()[0];
  if (!first) throw new ArgumentError('evaluate', 'the model has no parameters to tell its device');
  if (data.length === 0) throw new ArgumentError('evaluate', 'the data set is empty');
  const metrics = new MetricAccumulator(first.rt);
  const step = compile((x: Tensor, y: Tensor) => noGrad(() => {
    const logits = opts.tta ? ttaLogits(model, x, opts.tta) : model.forward(x);
    const loss = lossFn(logits, y);
    metrics.add(loss, logits, y);
    return loss;
  }), { name: 'evaluate', runtime: first.rt, inputShapes: [data.sampleShape, []] });
  try {
    const loader = new DataLoader(data, { batchSize: opts.batchSize ?? 256, shuffle: false });
    for (const b of loader.batches()) {
      step(b.x, b.y).dispose();
      metrics.countBatch(b.size);
    }
    return await metrics.read();
  } finally {
    step.dispose();
    metrics.dispose();
    model.train(wasTraining);
  }
}

/**
 * Class scores (logits) for a batch of samples in eval mode; with `tta`, the log of the softmax outputs
 * averaged over the views, from one batched pass.
 */
export function predict(model: Module, x: Tensor, opts: { tta?: readonly TTAView[] } = {}): Tensor {
  if (opts.tta) return ttaLogits(model, x, opts.tta);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => model.forward(x));
  } finally {
    model.train(wasTraining);
  }
}
