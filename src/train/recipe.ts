import { getRuntime } from '../device.js';
import { fashionMNISTDataset, type FashionMNISTSplit } from '../data/fashion-mnist.js';
import { InMemoryDataset, splitTrainVal } from '../data/loader.js';
import { loadModel, saveModel, type LoadReport } from '../io/model.js';
import type { AugmentStage } from '../augment/stages.js';
import type { TTAView } from '../augment/views.js';
import { augment as makeAugment } from '../nn/augment.js';
import { freeze as freezeModule } from '../nn/freeze.js';
import { Sequential } from '../nn/module.js';
import { ArgumentError } from '../errors.js';
import { alexNet, lenet5, logisticRegression, mlp, smallVgg } from '../nn/models.js';
import type { Module } from '../nn/module.js';
import { seed as seedRng } from '../ops/creation.js';
import { Adam, AdamW, SGD, type Optimizer } from '../optim/optimizer.js';
import { cosineAnnealing } from '../optim/schedules.js';
import { evaluate, fit, type EpochMetrics } from './fit.js';

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
  /** Augmentation of the training batches on the GPU (seeded with `seed`). */
  augment?: AugmentStage[];
  /** Test-time augmentation for the test accuracy. */
  tta?: TTAView[];
  /** Weights to start from (safetensors as base64, so the options stay JSON): the matching tensors are loaded, the rest reported. */
  initWeights?: string;
  /** Layers (indices in the model's Sequential) to freeze: fine-tuning the others. */
  freeze?: number[];
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
  /** What `initWeights` loaded and skipped. */
  loadReport?: LoadReport;
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

function buildOptimizer(model: Module, opts: RecipeOptions, steps: number): Optimizer {
  const params = model.parameters();
  const schedule = opts.schedule === 'cosine' ? cosineAnnealing(steps) : undefined;
  switch (opts.optimizer) {
    case 'sgd': return new SGD(params, { lr: opts.lr, schedule });
    case 'momentum': return new SGD(params, { lr: opts.lr, momentum: 0.9, schedule });
    case 'adam': return new Adam(params, { lr: opts.lr, schedule });
    case 'adamw': return new AdamW(params, { lr: opts.lr, schedule });
  }
}

export async function trainFashionMNIST(
  data: FashionMNISTData, opts: RecipeOptions, onBatch: (p: BatchProgress) => void, onEpoch: (e: EpochReport) => void,
  onCheckpoint?: (epoch: number, bytes: Uint8Array) => void | Promise<void>,
): Promise<TrainResult> {
  const start = performance.now();
  const rt = getRuntime();
  seedRng(opts.seed);
  const all = fashionMNISTDataset(data.train);
  const pool = opts.subset && opts.subset < all.length ? all.subset(Int32Array.from({ length: opts.subset }, (_, i) => i)) : all;
  const { train, val } = splitTrainVal(pool, opts.valFraction, opts.seed);
  const model = buildModel(opts.model);
  let loadReport: LoadReport | undefined;
  try {
    if (opts.initWeights) {
      const bytes = Uint8Array.from(atob(opts.initWeights), (c) => c.charCodeAt(0));
      loadReport = loadModel(model, bytes, { strict: false, skipMismatched: true, name: 'initial weights' }).report;
    }
    if (opts.freeze?.length) {
      if (!(model instanceof Sequential)) throw new ArgumentError('freeze', `${opts.model} is not a Sequential`);
      for (const i of opts.freeze) freezeModule(model.at(i));
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  const optimizer = buildOptimizer(model, opts, opts.epochs * Math.ceil(train.length / opts.batchSize));
  const aug = opts.augment?.length ? makeAugment(opts.augment, { seed: opts.seed, inputSize: [28, 28] }) : undefined;
  try {
    const result = await fit(model, train, {
      epochs: opts.epochs, batchSize: opts.batchSize, optimizer, validation: val, seed: opts.seed, augment: aug,
      checkpoints: opts.checkpointEvery && onCheckpoint ? { every: opts.checkpointEvery, save: (bytes, { epoch }) => onCheckpoint(epoch, bytes) } : undefined,
      callbacks: {
        onBatchEnd: (b) => onBatch(b),
        onEpochEnd: (m: EpochMetrics) => onEpoch({ ...m, valLoss: m.valLoss ?? NaN, valAcc: m.valAcc ?? NaN }),
      },
    });
    const test: InMemoryDataset = fashionMNISTDataset(data.test);
    const t = await evaluate(model, test, { batchSize: opts.tta ? Math.max(1, Math.floor(500 / opts.tta.length)) : 500, tta: opts.tta });
    const weights = await saveModel(model, { metadata: { model: opts.model, dataset: 'fashion-mnist' } });
    return {
      epochs: result.history.map((m) => ({ ...m, valLoss: m.valLoss ?? NaN, valAcc: m.valAcc ?? NaN })),
      testLoss: t.loss, testAcc: t.accuracy, weights, adapter: [rt.adapter.vendor, rt.adapter.architecture, rt.adapter.description].filter(Boolean).join(' '),
      model: opts.model, parameters: model.parameters().reduce((n, p) => n + p.size, 0), totalSeconds: (performance.now() - start) / 1000,
      loadReport,
    };
  } finally {
    aug?.dispose();
    optimizer.dispose();
    model.dispose();
  }
}
