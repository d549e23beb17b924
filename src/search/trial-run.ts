import type { Runtime } from '../device.js';
import { ArgumentError } from '../errors.js';
import { compile, type CompiledStep } from '../executor/compile.js';
import type { InMemoryDataset } from '../data/loader.js';
import * as G from '../grad/index.js';
import { saveModel } from '../io/model.js';
import type { Module } from '../nn/module.js';
import { seed as seedRng } from '../ops/creation.js';
import { Adam, AdamW, AdaGrad, RMSProp, SGD, type Optimizer } from '../optim/optimizer.js';
import { cosineAnnealing, stepDecay, type LrSchedule } from '../optim/schedules.js';
import type { Tensor } from '../tensor.js';
import { evaluate, type LossFn } from '../train/fit.js';
import { MetricAccumulator } from '../train/metrics.js';
import { restoreSnapshot, snapshot, type Snapshot } from '../train/snapshot.js';
import type { BatchFeed } from './batch-feed.js';
import type { TrialConfig } from './space.js';
import type { TrialStack } from './trial-stack.js';

/** One validation of a run: after `step` optimizer steps. */
export interface TrialPoint {
  step: number;
  /** Epochs done (fractional when validating every N steps). */
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  lr: number;
}

export type Monitor = 'valAcc' | 'valLoss';

/** How a search trains one configuration (shared by every trial). */
export interface RunSettings {
  model: (config: TrialConfig) => Module;
  /** Builds the optimizer; default: from the configuration's `optimizer`, `lr`, `momentum`, `weightDecay`, `schedule` (see `defaultOptimizer`). */
  optimizer?: (params: Tensor[], config: TrialConfig, totalSteps: number) => Optimizer;
  loss?: LossFn;
  /** Mini-batch size unless the configuration has `batchSize` (default 32). */
  batchSize: number;
  /** Budget per trial: epochs, or optimizer steps (`steps` wins when both are given). */
  epochs?: number;
  steps?: number;
  /** Validate every this many steps (default: once per epoch, and at the end). */
  evalEvery?: number;
  metric: Monitor;
  /** Stop a trial after this many validations without improvement (default: no early stopping). */
  patience?: number;
  minDelta: number;
  /** A finite training loss above this also counts as diverged (default: only NaN/Inf). */
  divergeAbove?: number;
}

const OPTIMIZER_KINDS = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;
const SCHEDULES = ['constant', 'cosine', 'step'] as const;

function num(config: TrialConfig, key: string, fallback: number): number {
  const v = config[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError('search', `'${key}' must be a finite number, got ${String(v)}`);
  return v;
}

/**
 * The optimizer a configuration names: `optimizer` (sgd | momentum | nesterov | adam | adamw | rmsprop |
 * adagrad; default sgd), `lr` (default 0.01), `momentum` (default 0.9 for momentum/nesterov, else 0; RMSProp's
 * momentum too), `weightDecay` or `l2` (the L2 penalty; AdamW's decoupled decay), `schedule` (constant |
 * cosine over the trial's steps | step: ×0.1 at each third of them). Other keys are the model's.
 */
export function defaultOptimizer(params: Tensor[], config: TrialConfig, totalSteps: number): Optimizer {
  const kind = String(config.optimizer ?? 'sgd');
  if (!(OPTIMIZER_KINDS as readonly string[]).includes(kind)) throw new ArgumentError('search', `unknown optimizer '${kind}' (${OPTIMIZER_KINDS.join(', ')})`);
  const sched = String(config.schedule ?? 'constant');
  if (!(SCHEDULES as readonly string[]).includes(sched)) throw new ArgumentError('search', `unknown schedule '${sched}' (${SCHEDULES.join(', ')})`);
  const lr = num(config, 'lr', 0.01);
  const weightDecay = num(config, 'weightDecay', num(config, 'l2', kind === 'adamw' ? 1e-2 : 0));
  const momentum = num(config, 'momentum', kind === 'momentum' || kind === 'nesterov' ? 0.9 : 0);
  const schedule: LrSchedule | undefined = sched === 'cosine' ? cosineAnnealing(Math.max(1, totalSteps))
    : sched === 'step' ? stepDecay(Math.max(1, Math.ceil(totalSteps / 3)), 0.1) : undefined;
  switch (kind) {
    case 'adam': return new Adam(params, { lr, weightDecay, schedule });
    case 'adamw': return new AdamW(params, { lr, weightDecay, schedule });
    case 'rmsprop': return new RMSProp(params, { lr, weightDecay, momentum, schedule });
    case 'adagrad': return new AdaGrad(params, { lr, weightDecay, schedule });
    default: return new SGD(params, { lr, momentum, nesterov: kind === 'nesterov', weightDecay, schedule });
  }
}

/** 'abandoned': stopped by the search because another fold of its configuration diverged. */
export type RunStatus = 'running' | 'done' | 'stopped-early' | 'diverged' | 'abandoned';

/**
 * One training run of a search (a configuration on one fold): its model, optimizer, compiled step and
 * GPU-side metrics. The scheduler calls `step()` once per round (inside `rt.submitTogether`, so the
 * rounds of several runs share one submit) and `validate()` at the end of each segment.
 */
export class TrialRun {
  readonly model: Module;
  readonly optimizer: Optimizer;
  readonly totalSteps: number;
  readonly batchSize: number;
  readonly history: TrialPoint[] = [];
  status: RunStatus = 'running';
  stepsDone = 0;
  /** Best monitored value so far (higher is better: −loss for valLoss). */
  best = -Infinity;
  bestPoint: TrialPoint | null = null;
  /** The stack that trains this run with others, and its trial there (null: it trains on its own). */
  stack: TrialStack | null = null;
  private slot = -1;
  private readonly step: CompiledStep<readonly Tensor[]>;
  private readonly metrics: MetricAccumulator;
  readonly feed: BatchFeed;
  private readonly evalEvery: number;
  private segmentEnd: number;
  private waited = 0;
  private snap: Snapshot | null = null;

  /**
   * `feed(batchSize)`: the shared mini-batches of `train` at that batch size (see BatchFeed); `seed` sets the
   * initialization (`seed(seed)` right before the model is built).
   */
  constructor(readonly rt: Runtime, readonly config: TrialConfig, readonly seed: number, readonly train: InMemoryDataset, readonly val: InMemoryDataset, private readonly s: RunSettings, feed: (batchSize: number) => BatchFeed) {
    this.batchSize = num(config, 'batchSize', s.batchSize);
    if (!(Number.isInteger(this.batchSize) && this.batchSize >= 1)) throw new ArgumentError('search', `batchSize must be a positive integer, got ${this.batchSize}`);
    this.feed = feed(this.batchSize);
    this.feed.readers++;
    this.totalSteps = s.steps ?? (s.epochs ?? 1) * this.feed.batchesPerEpoch;
    this.evalEvery = Math.min(s.evalEvery ?? this.feed.batchesPerEpoch, this.totalSteps);
    this.segmentEnd = this.evalEvery;
    // The configuration's initialization is a function of its seed only, whatever ran before.
    seedRng(seed, rt);
    this.model = s.model(config);
    this.optimizer = (s.optimizer ?? defaultOptimizer)(this.model.parameters(), config, this.totalSteps);
    this.metrics = new MetricAccumulator(rt);
    const lossFn = s.loss ?? ((logits: Tensor, y: Tensor) => G.crossEntropy(logits, y));
    const model = this.model, optimizer = this.optimizer, metrics = this.metrics;
    this.step = compile((x: Tensor, y: Tensor) => {
      optimizer.zeroGrad();
      const logits = model.forward(x);
      const loss = lossFn(logits, y);
      metrics.add(loss, logits, y);
      loss.backward();
      optimizer.step();
      // Nothing comes out: the loss is read through the GPU-side metrics, so a replay copies out no tensor.
      return [];
    }, { name: 'search step', runtime: rt, inputShapes: [train.sampleShape, []] });
  }

  /** Trained with a loss of the caller's (a stack computes only cross-entropy). */
  get customLoss(): boolean {
    return this.s.loss !== undefined;
  }

  /**
   * From now on `stack` trains this run as its trial `slot` (before any step): the run's own optimizer state
   * and gradient buffer are freed, its model only receives the stack's weights for validation.
   */
  joinStack(stack: TrialStack, slot: number): void {
    if (this.stepsDone > 0 || this.stack) throw new ArgumentError('search', 'a run joins a stack before its first step, once');
    this.stack = stack;
    this.slot = slot;
    this.optimizer.dispose();
    if (this.optimizer.ownsArena) this.optimizer.arena.releaseGradients();
  }

  /** The learning rate of the next step. */
  get lr(): number {
    return this.stack ? this.stack.lr(this.slot) : this.optimizer.lr;
  }

  /** Steps left before the next validation. */
  get segmentSteps(): number {
    return this.segmentEnd - this.stepsDone;
  }

  /** One optimizer step on the next mini-batch (queued, nothing read back; its loss goes into the run's metrics). */
  runStep(): void {
    if (this.stack) throw new ArgumentError('search', 'a run in a stack steps with its stack');
    const b = this.feed.batch(this.stepsDone);
    this.step(b.x, b.y);
    this.metrics.countBatch(b.size);
    this.stepsDone++;
  }

  /** Validates, records the point, and decides whether the run goes on. */
  async validate(): Promise<RunStatus> {
    const trainM = this.stack ? await this.stack.trainMetrics(this.slot) : await this.metrics.read();
    if (!this.stack) this.metrics.reset();
    const diverged = (v: number) => !Number.isFinite(v) || (this.s.divergeAbove !== undefined && v > this.s.divergeAbove);
    const epoch = this.stepsDone / this.feed.batchesPerEpoch;
    if (diverged(trainM.loss)) {
      this.history.push({ step: this.stepsDone, epoch, trainLoss: trainM.loss, trainAcc: trainM.accuracy, valLoss: NaN, valAcc: NaN, lr: this.lr });
      return (this.status = 'diverged');
    }
    this.stack?.model.store(this.slot, this.model);
    const v = await evaluate(this.model, this.val, { batchSize: Math.max(this.batchSize, 256), loss: this.s.loss });
    const point: TrialPoint = { step: this.stepsDone, epoch, trainLoss: trainM.loss, trainAcc: trainM.accuracy, valLoss: v.loss, valAcc: v.accuracy, lr: this.lr };
    this.history.push(point);
    if (diverged(v.loss)) return (this.status = 'diverged');
    const value = this.s.metric === 'valAcc' ? v.accuracy : -v.loss;
    if (value > this.best + this.s.minDelta || !this.bestPoint) {
      this.best = value;
      this.bestPoint = point;
      this.waited = 0;
      // The best validation's weights are what the run reports; the last one's need no copy.
      this.snap?.dispose();
      this.snap = this.stepsDone < this.totalSteps ? snapshot(this.model) : null;
    } else if (this.s.patience !== undefined && ++this.waited >= this.s.patience) {
      return (this.status = 'stopped-early');
    }
    if (this.stepsDone >= this.totalSteps) return (this.status = 'done');
    this.segmentEnd = Math.min(this.totalSteps, this.segmentEnd + this.evalEvery);
    return this.status;
  }

  /** The score the run reports: its best validation's metric (accuracy, or loss for valLoss). */
  get score(): number {
    if (this.status === 'diverged' || this.status === 'abandoned' || !this.bestPoint) return NaN;
    return this.s.metric === 'valAcc' ? this.bestPoint.valAcc : this.bestPoint.valLoss;
  }

  /** The best validation's weights as safetensors (PyTorch names). */
  async weights(): Promise<Uint8Array> {
    if (this.snap) restoreSnapshot(this.model, this.snap);
    return saveModel(this.model, { metadata: { config: JSON.stringify(this.config), step: String(this.bestPoint?.step ?? this.stepsDone) } });
  }

  dispose(): void {
    this.feed.readers--;
    this.snap?.dispose();
    this.step.dispose();
    this.metrics.dispose();
    this.optimizer.disposeWithModel(this.model);
  }
}
