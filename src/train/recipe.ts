import { getRuntime } from '../device.js';
import { fashionMNISTDataset, type FashionMNISTSplit } from '../data/fashion-mnist.js';
import { InMemoryDataset, splitTrainVal } from '../data/loader.js';
import { saveModel } from '../io/model.js';
import { alexNet, lenet5, logisticRegression, mlp, smallVgg } from '../nn/models.js';
import type { Module } from '../nn/module.js';
import { seed as seedRng } from '../ops/creation.js';
import { Adam, AdamW, SGD, type Optimizer } from '../optim/optimizer.js';
import { cosineAnnealing } from '../optim/schedules.js';
import { evaluate, fit, type EpochMetrics } from './fit.js';
import { findLr, type LrFinderResult } from '../search/lr-finder.js';

/** The `npm run train` recipe: a ready model on Fashion-MNIST with validation, test accuracy and weights. */

export type ModelName = 'lenet5' | 'mlp' | 'logreg' | 'vgg' | 'alexnet';
export const MODEL_NAMES: readonly ModelName[] = ['lenet5', 'mlp', 'logreg', 'vgg', 'alexnet'];

export interface RecipeOptions {
  model: ModelName;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: 'sgd' | 'momentum' | 'adam' | 'adamw';
  /** Learning rate over the run: constant (default), or cosine annealing from `lr` to 0 over every step. */
  schedule?: 'constant' | 'cosine';
  /** Training samples used (default all 60,000; the validation part is taken from them). */
  subset?: number;
  seed: number;
  valFraction: number;
  /** Hand a checkpoint (weights and optimizer state, safetensors) to `onCheckpoint` every this many epochs. */
  checkpointEvery?: number;
}

export interface BatchProgress { epoch: number; batch: number; batches: number; samplesPerSec: number; loss?: number }
export interface EpochReport {
  epoch: number; trainLoss: number; trainAcc: number; valLoss: number; valAcc: number; lr: number; samplesPerSec: number; seconds: number;
}
export interface TrainResult {
  epochs: EpochReport[];
  testLoss: number;
  testAcc: number;
  /** The trained weights as safetensors (PyTorch names). */
  weights: Uint8Array;
  adapter: string;
  model: ModelName;
  parameters: number;
  totalSeconds: number;
}

export interface FashionMNISTData {
  train: FashionMNISTSplit;
  test: FashionMNISTSplit;
}

/** Fashion-MNIST is 1×28×28; VGG and AlexNet take it as is (their sizes adapt). */
export function buildModel(name: ModelName): Module {
  switch (name) {
    case 'lenet5': return lenet5();
    case 'mlp': return mlp([784, 512, 512, 10]);
    case 'logreg': return logisticRegression(784, 10);
    case 'vgg': return smallVgg({ inChannels: 1, imageSize: 28 });
    case 'alexnet': return alexNet({ inChannels: 1, imageSize: 28, width: 0.5, fcWidth: 512 });
  }
}

export function buildOptimizer(model: Module, opts: RecipeOptions, steps: number): Optimizer {
  const params = model.parameters();
  const schedule = opts.schedule === 'cosine' ? cosineAnnealing(steps) : undefined;
  switch (opts.optimizer) {
    case 'sgd': return new SGD(params, { lr: opts.lr, schedule });
    case 'momentum': return new SGD(params, { lr: opts.lr, momentum: 0.9, schedule });
    case 'adam': return new Adam(params, { lr: opts.lr, schedule });
    case 'adamw': return new AdamW(params, { lr: opts.lr, schedule });
  }
}

/** The recipe's training and validation parts of Fashion-MNIST's training split. */
export function recipeSplit(data: FashionMNISTData, opts: RecipeOptions): { train: InMemoryDataset; val: InMemoryDataset } {
  const all = fashionMNISTDataset(data.train);
  const pool = opts.subset && opts.subset < all.length ? all.subset(Int32Array.from({ length: opts.subset }, (_, i) => i)) : all;
  return splitTrainVal(pool, opts.valFraction, opts.seed);
}

/**
 * Smith's range test on the recipe's model (initialized as training would), optimizer kind and training
 * part: the learning rate grows exponentially from 1e-6 to 1 over `steps` steps (the recipe's optimizers all
 * diverge below 1 on Fashion-MNIST). The model is thrown away afterwards.
 */
export async function findRecipeLr(data: FashionMNISTData, opts: RecipeOptions, steps = 100): Promise<LrFinderResult> {
  seedRng(opts.seed);
  const { train } = recipeSplit(data, opts);
  const model = buildModel(opts.model);
  try {
    return await findLr(model, train, {
      minLr: 1e-6, maxLr: 1, steps, batchSize: opts.batchSize, seed: opts.seed,
      optimizer: () => buildOptimizer(model, { ...opts, schedule: 'constant' }, steps),
    });
  } finally {
    model.dispose();
  }
}

export async function trainFashionMNIST(
  data: FashionMNISTData, opts: RecipeOptions, onBatch: (p: BatchProgress) => void, onEpoch: (e: EpochReport) => void,
  onCheckpoint?: (epoch: number, bytes: Uint8Array) => void | Promise<void>,
): Promise<TrainResult> {
  const start = performance.now();
  const rt = getRuntime();
  seedRng(opts.seed);
  const { train, val } = recipeSplit(data, opts);
  const model = buildModel(opts.model);
  const optimizer = buildOptimizer(model, opts, opts.epochs * Math.ceil(train.length / opts.batchSize));
  try {
    const result = await fit(model, train, {
      epochs: opts.epochs, batchSize: opts.batchSize, optimizer, validation: val, seed: opts.seed,
      checkpoints: opts.checkpointEvery && onCheckpoint ? { every: opts.checkpointEvery, save: (bytes, { epoch }) => onCheckpoint(epoch, bytes) } : undefined,
      callbacks: {
        onBatchEnd: (b) => onBatch(b),
        onEpochEnd: (m: EpochMetrics) => onEpoch({ ...m, valLoss: m.valLoss ?? NaN, valAcc: m.valAcc ?? NaN }),
      },
    });
    const test: InMemoryDataset = fashionMNISTDataset(data.test);
    const t = await evaluate(model, test, { batchSize: 500 });
    const weights = await saveModel(model, { metadata: { model: opts.model, dataset: 'fashion-mnist' } });
    return {
      epochs: result.history.map((m) => ({ ...m, valLoss: m.valLoss ?? NaN, valAcc: m.valAcc ?? NaN })),
      testLoss: t.loss, testAcc: t.accuracy, weights, adapter: [rt.adapter.vendor, rt.adapter.architecture, rt.adapter.description].filter(Boolean).join(' '),
      model: opts.model, parameters: model.parameters().reduce((n, p) => n + p.size, 0), totalSeconds: (performance.now() - start) / 1000,
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
