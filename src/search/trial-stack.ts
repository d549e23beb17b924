import type { Runtime } from '../device.js';
import { compile, type CompiledStep } from '../executor/compile.js';
import * as G from '../grad/index.js';
import { softmaxCrossEntropy } from '../ops/loss.js';
import { latchLabelFault } from '../ops/step-fault.js';
import type { Tensor } from '../tensor.js';
import { MetricAccumulator } from '../train/metrics.js';
import type { BatchFeed } from './batch-feed.js';
import { maxStackTrials, StackModel, stackLayers, stackSignature } from './stack-model.js';
import { optimizerSignature, StackOptimizer, trialOptimizer } from './stack-optimizer.js';
import type { TrialRun } from './trial-run.js';

/**
 * The key under which runs can share a stack (same layers, optimizer rule and batch size; the caller also
 * keeps the training set apart), or null when a run must train on its own: a custom loss, a model or
 * optimizer a stack cannot reproduce exactly (see stackLayers, maxStackTrials, trialOptimizer), frozen parameters.
 */
export function stackKey(run: TrialRun): string | null {
  // A frozen parameter is one the trial's optimizer leaves alone; the stacked update would not.
  if (run.customLoss || run.model.parameters().some((p) => p.frozen)) return null;
  const layers = stackLayers(run.model), opt = trialOptimizer(run.optimizer);
  if (!layers || !opt || maxStackTrials(layers, run.model, run.train.sampleShape, run.batchSize, run.rt) < 2) return null;
  return `${run.batchSize}|${stackSignature(layers)}|${optimizerSignature(opt)}`;
}

/** The most runs like this one a stack may hold on its device (see maxStackTrials); 0 when it cannot stack. */
export function stackCapacity(run: TrialRun): number {
  const layers = stackLayers(run.model);
  return layers ? maxStackTrials(layers, run.model, run.train.sampleShape, run.batchSize, run.rt) : 0;
}

/**
 * Runs of one architecture trained as one model (StackModel, StackOptimizer): each round is one replay of one
 * compiled step for all of them — a layer costs one dispatch whatever the number of trials — on the batch
 * they all read (same training set, batch size and step). Each run's weights, optimizer state and metrics are
 * exactly (bit for bit) what it would have alone; its own model receives its weights before each validation.
 * Runs that end stay in the stack, updated with a zero learning rate, until the last one ends.
 */
export class TrialStack {
  readonly model: StackModel;
  readonly optimizer: StackOptimizer;
  /** Steps taken (every running member has taken this many). */
  steps = 0;
  private readonly metrics: MetricAccumulator;
  private read: Promise<{ loss: number; accuracy: number }[]> | null = null;
  private readonly step: CompiledStep<readonly Tensor[]>;

  constructor(readonly rt: Runtime, readonly runs: readonly TrialRun[], private readonly feed: BatchFeed) {
    const T = runs.length, first = runs[0]!;
    this.model = new StackModel(rt, stackLayers(first.model)!, T, first.model);
    runs.forEach((r, t) => this.model.load(t, r.model));
    this.optimizer = new StackOptimizer(rt, this.model.arena, this.model.perTrial, runs.map((r) => trialOptimizer(r.optimizer)!));
    this.metrics = new MetricAccumulator(rt, T);
    const model = this.model, optimizer = this.optimizer, metrics = this.metrics;
    this.step = compile((x: Tensor, y: Tensor) => {
      optimizer.zeroGrad();
      const logits = model.forward(x);
      // Each trial's mean loss over the batch, and its gradient (softmax − onehot)/B, as its own loss computes them.
      const r = softmaxCrossEntropy(logits, y, { stacked: T, checkLabels: true });
      if (r.labelCheck) {
        latchLabelFault('crossEntropy', r.labelCheck.status, r.labelCheck.labels, r.labelCheck.classes);
        r.labelCheck.status.dispose();
      }
      metrics.add(r.loss, logits, y);
      G.backward(logits, r.grad!);
      optimizer.step();
      return [];
    }, { name: 'search stack step', runtime: rt, inputShapes: [feed.dataset.sampleShape, []] });
    runs.forEach((r, t) => r.joinStack(this, t));
  }

  /** One step of every member on the next batch (queued; a member that ended is carried at lr 0). */
  runStep(): void {
    const b = this.feed.batch(this.steps);
    this.step(b.x, b.y);
    this.metrics.countBatch(b.size);
    this.steps++;
    for (const r of this.runs) if (r.status === 'running') r.stepsDone++;
  }

  /** Trial t's mean training loss and accuracy since the last `endSegment()` (one readback for the stack). */
  async trainMetrics(t: number): Promise<{ loss: number; accuracy: number }> {
    this.read ??= this.metrics.readEach();
    return (await this.read)[t]!;
  }

  /** After every member validated: the metric sums start again. */
  endSegment(): void {
    this.metrics.reset();
    this.read = null;
  }

  /** Trial t's learning rate for its next step. */
  lr(t: number): number {
    return this.optimizer.lr(t);
  }

  /** A member has ended: its share is no longer updated (lr 0). */
  stop(run: TrialRun): void {
    this.optimizer.stop(this.runs.indexOf(run));
  }

  get finished(): boolean {
    return this.runs.every((r) => r.status !== 'running');
  }

  dispose(): void {
    this.step.dispose();
    this.optimizer.dispose();
    this.model.dispose();
    this.metrics.dispose();
  }
}
