import { ArgumentError } from '../errors.js';
import { compile } from '../executor/compile.js';
import { DataLoader, type Batch, type InMemoryDataset } from '../data/loader.js';
import * as G from '../grad/index.js';
import type { Module } from '../nn/module.js';
import { SGD, type Optimizer } from '../optim/optimizer.js';
import type { Tensor } from '../tensor.js';
import type { LossFn } from '../train/fit.js';
import { restoreSnapshot, snapshot } from '../train/snapshot.js';

export interface LrFinderOptions {
  /** Learning rate of the first step (default 1e-7). */
  minLr?: number;
  /** Learning rate of the last step (default 10). */
  maxLr?: number;
  /** Steps of the range test (default 100); the learning rate grows by (maxLr/minLr)^(1/(steps−1)) per step. */
  steps?: number;
  batchSize?: number;
  /** The optimizer to test (its learning rate is driven by the test); default SGD with momentum 0.9. */
  optimizer?: (params: Tensor[]) => Optimizer;
  loss?: LossFn;
  /** Exponential smoothing of the loss curve, bias-corrected (default min(0.98, 1 − 4/steps): less lag on short tests). */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds this many times its minimum (default 4), or is NaN/Inf. */
  divergeFactor?: number;
  /** Data order (default 0). */
  seed?: number;
}

export interface LrFinderResult {
  /** Learning rate of each step taken. */
  lrs: number[];
  /** Each step's mini-batch loss. */
  losses: number[];
  /** The smoothed curve the suggestion reads. */
  smoothed: number[];
  /**
   * Suggested learning rate: a tenth of `minLossLr` (Smith's rule of thumb: an order of magnitude below where
   * the loss stops falling). NaN when the loss never fell.
   */
  suggestedLr: number;
  /** Learning rate at the smoothed loss's minimum. */
  minLossLr: number;
  /** Where the smoothed loss falls fastest against log(lr), before its minimum (fastai's 'steep' point); NaN when it never falls. */
  steepestLr: number;
  /** The test stopped early because the loss diverged. */
  diverged: boolean;
}

/** Steps whose losses are read back together (one wait per this many steps). */
const READ_EVERY = 10;

/**
 * Smith's learning-rate range test: trains from the model's current weights with a learning rate growing
 * exponentially from `minLr` to `maxLr`, records each step's loss, stops when it diverges, and suggests a
 * learning rate. The model's parameters and buffers are put back afterwards.
 */
export async function findLr(model: Module, data: InMemoryDataset, opts: LrFinderOptions = {}): Promise<LrFinderResult> {
  const minLr = opts.minLr ?? 1e-7, maxLr = opts.maxLr ?? 10, steps = opts.steps ?? 100;
  const beta = opts.smoothing ?? Math.min(0.98, 1 - 4 / steps), factor = opts.divergeFactor ?? 4;
  if (!(minLr > 0 && maxLr > minLr && Number.isFinite(maxLr))) throw new ArgumentError('findLr', `needs 0 < minLr < maxLr, got minLr = ${minLr}, maxLr = ${maxLr}`);
  if (!(Number.isInteger(steps) && steps >= 2)) throw new ArgumentError('findLr', `steps must be an integer ≥ 2, got ${steps}`);
  if (!(beta >= 0 && beta < 1)) throw new ArgumentError('findLr', `smoothing must be in [0, 1), got ${beta}`);
  if (!(factor > 1)) throw new ArgumentError('findLr', `divergeFactor must be > 1, got ${factor}`);
  const params = model.parameters();
  if (!params.length) throw new ArgumentError('findLr', 'the model has no parameters');
  const rt = params[0]!.rt;
  const lrAt = (step: number) => minLr * (maxLr / minLr) ** (step / (steps - 1));
  const optimizer = opts.optimizer ? opts.optimizer(params) : new SGD(params, { lr: minLr, momentum: 0.9 });
  optimizer.schedule = (step) => lrAt(step);
  const lossFn = opts.loss ?? ((logits: Tensor, y: Tensor) => G.crossEntropy(logits, y));
  const saved = snapshot(model);
  const wasTraining = model.training;
  model.train();
  const step = compile((x: Tensor, y: Tensor) => {
    optimizer.zeroGrad();
    const loss = lossFn(model.forward(x), y);
    loss.backward();
    optimizer.step();
    return loss;
  }, { name: 'findLr step', runtime: rt, inputShapes: [data.sampleShape, []] });
  const loader = new DataLoader(data, { batchSize: opts.batchSize ?? 32, seed: opts.seed ?? 0, dropLast: data.length >= (opts.batchSize ?? 32) });
  const lrs: number[] = [], losses: number[] = [], smoothed: number[] = [];
  let avg = 0, best = Infinity, diverged = false, epoch = 0;
  let batches = loader.batches(epoch);
  try {
    for (let s = 0; s < steps && !diverged; s += READ_EVERY) {
      const pending: Tensor[] = [];
      for (let i = s; i < Math.min(steps, s + READ_EVERY); i++) {
        let next = batches.next();
        if (next.done) next = (batches = loader.batches(++epoch)).next();
        const b = next.value as Batch;
        pending.push(step(b.x, b.y));
      }
      const values = await Promise.all(pending.map((t) => t.item()));
      pending.forEach((t) => t.dispose());
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        lrs.push(lrAt(s + i));
        losses.push(v);
        avg = beta * avg + (1 - beta) * v;
        const sm = avg / (1 - beta ** losses.length);
        smoothed.push(sm);
        if (!Number.isFinite(sm) || sm > factor * best) {
          diverged = true;
          break;
        }
        best = Math.min(best, sm);
      }
    }
  } finally {
    step.dispose();
    optimizer.dispose();
    restoreSnapshot(model, saved);
    saved.dispose();
    model.train(wasTraining);
  }
  return { lrs, losses, smoothed, ...suggest(lrs, smoothed), diverged };
}

/** The suggestions read from the smoothed curve: a tenth of its minimum's lr, and its steepest descent before it. */
export function suggest(lrs: readonly number[], smoothed: readonly number[]): { suggestedLr: number; minLossLr: number; steepestLr: number } {
  let iMin = -1;
  for (let i = 0; i < smoothed.length; i++) if (Number.isFinite(smoothed[i]!) && (iMin < 0 || smoothed[i]! < smoothed[iMin]!)) iMin = i;
  let steepest = 0, at = -1;
  for (let i = 1; i <= iMin; i++) {
    const slope = (smoothed[i]! - smoothed[i - 1]!) / (Math.log(lrs[i]!) - Math.log(lrs[i - 1]!));
    if (slope < steepest) {
      steepest = slope;
      at = i;
    }
  }
  // A minimum at the first step means the loss never fell.
  if (iMin <= 0 || at < 0) return { suggestedLr: NaN, minLossLr: iMin < 0 ? NaN : lrs[iMin]!, steepestLr: NaN };
  return { suggestedLr: lrs[iMin]! / 10, minLossLr: lrs[iMin]!, steepestLr: lrs[at]! };
}
