import { noGrad } from '../autograd.js';
import { ArgumentError } from '../errors.js';
import * as G from '../grad/index.js';
import { tensor } from '../ops/creation.js';
import { mean as rawMean } from '../ops/reduce.js';
import * as E from '../ops/elementwise.js';
import type { Module, Sequential } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { tidy, type Tensor } from '../tensor.js';
import type { InMemoryDataset } from '../data/loader.js';
import { evaluate, fit } from './fit.js';

/**
 * The lectures' sanity checks, as functions: run them before a long training run (lecture 001: "check the
 * initial loss, check that regularization raises it, overfit a tiny subset first").
 */

export interface LabeledBatch {
  /** Samples [n, ...sampleShape], normalized. */
  x: Float32Array;
  y: Int32Array;
  shape: readonly number[];
}

/** With small random weights the softmax is near uniform, so the initial cross-entropy is ≈ ln C. */
export async function initialLossCheck(model: Module, batch: LabeledBatch, classes: number): Promise<{ loss: number; expected: number; relError: number }> {
  const wasTraining = model.training;
  model.eval();
  try {
    const loss = tidy(() => noGrad(() => G.crossEntropy(model.forward(tensor(batch.x, batch.shape)), batch.y)));
    const value = await loss.item();
    loss.dispose();
    const expected = Math.log(classes);
    return { loss: value, expected, relError: Math.abs(value - expected) / expected };
  } finally {
    model.train(wasTraining);
  }
}

/** Loss = cross-entropy + λ·ΣW² for each λ: raising the regularization must raise the loss. */
export async function regularizationCheck(model: Module, batch: LabeledBatch, lambdas: readonly number[] = [0, 1e-3, 1e-2, 1e-1]): Promise<{ lambdas: readonly number[]; losses: number[]; increasing: boolean }> {
  const weights = model.namedParameters().filter(([n]) => n.endsWith('weight')).map(([, t]) => t);
  const wasTraining = model.training;
  model.eval();
  const losses: number[] = [];
  try {
    for (const lambda of lambdas) {
      const loss = tidy(() => noGrad(() => {
        const data = G.crossEntropy(model.forward(tensor(batch.x, batch.shape)), batch.y);
        return lambda ? G.add(data, G.l2Penalty(weights, lambda)) : data;
      }));
      losses.push(await loss.item());
      loss.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return { lambdas, losses, increasing: losses.every((l, i) => i === 0 || l > losses[i - 1]!) };
}

/**
 * Trains on a tiny subset (the lecture uses 20 samples) until it is memorized: a model and training loop
 * that cannot reach 100% training accuracy here have a bug.
 */
export async function overfitCheck(model: Module, tiny: InMemoryDataset, optimizer: Optimizer, opts: { epochs?: number } = {}): Promise<{ accuracy: number; loss: number; epochs: number }> {
  if (tiny.length > 256) throw new ArgumentError('overfitCheck', `use a tiny subset (the lecture uses 20 samples), got ${tiny.length}`);
  const epochs = opts.epochs ?? 100;
  await fit(model, tiny, { epochs, batchSize: tiny.length, optimizer, lossEvery: epochs * 2 });
  const r = await evaluate(model, tiny);
  return { accuracy: r.accuracy, loss: r.loss, epochs };
}

export interface LayerStats {
  /** PyTorch name of the layer in the Sequential ('0', '1', …) and its class. */
  name: string;
  layer: string;
  shape: readonly number[];
  mean: number;
  std: number;
}

/**
 * Mean and standard deviation of every layer's output for one batch (lecture 001's initialization
 * diagnosis: with too small weights the activations shrink to 0 layer after layer; with too large ones
 * tanh/sigmoid units saturate at ±1). Fusion is turned off so each activation layer is seen.
 */
export async function activationStats(model: Sequential, x: Tensor): Promise<LayerStats[]> {
  const fusion = model.fusion;
  model.fusion = false;
  const pending: { name: string; layer: string; shape: readonly number[]; m: Tensor; sq: Tensor }[] = [];
  try {
    noGrad(() => tidy(() => {
      let y = x;
      model.layers.forEach((layer, i) => {
        y = layer.forward(y);
        const m = rawMean(y);
        const sq = rawMean(E.mul(y, y));
        pending.push({ name: String(i), layer: layer.constructor.name, shape: y.shape, m, sq });
      });
      return pending.flatMap((p) => [p.m, p.sq]);
    }));
    const out: LayerStats[] = [];
    for (const p of pending) {
      const [m, sq] = [await p.m.item(), await p.sq.item()];
      out.push({ name: p.name, layer: p.layer, shape: p.shape, mean: m, std: Math.sqrt(Math.max(sq - m * m, 0)) });
    }
    return out;
  } finally {
    for (const p of pending) {
      p.m.dispose();
      p.sq.dispose();
    }
    model.fusion = fusion;
  }
}
