// `npm run train`'s transfer-learning tools on a session's model: start from given weights (the tensors whose
// name and shape match), freeze layers, augment the training batches on the GPU, test with TTA.
import type { AugmentStage } from '../../src/augment/stages.js';
import type { TTAView } from '../../src/augment/views.js';
import { loadModel, type LoadReport } from '../../src/io/model.js';
import { augment, type Augment } from '../../src/nn/augment.js';
import { freeze } from '../../src/nn/freeze.js';
import type { Sequential } from '../../src/nn/module.js';

/** Plain data (JSON), so it crosses into the CLI's page like the session options. */
export interface TransferOptions {
  /** Augmentation of the training batches on the GPU (seeded with the session's seed). */
  augment?: AugmentStage[];
  /** Test-time augmentation for the test accuracy. */
  tta?: TTAView[];
  /** Weights to start from (safetensors as base64): the matching tensors are loaded, the rest reported. */
  initWeights?: string;
  /** Layers (indices in the model's Sequential; negative from the end) to freeze: fine-tuning the others. */
  freeze?: number[];
}

/**
 * Loads `initWeights` (strict: false, tensors of another shape skipped) and freezes the layers asked for;
 * returns what the load did. Runs before the optimizer is built, so frozen parameters get no update.
 */
export function prepareModel(model: Sequential, t: TransferOptions): LoadReport | undefined {
  let report: LoadReport | undefined;
  if (t.initWeights) {
    const bytes = Uint8Array.from(atob(t.initWeights), (c) => c.charCodeAt(0));
    report = loadModel(model, bytes, { strict: false, skipMismatched: true, name: 'initial weights' }).report;
  }
  for (const i of t.freeze ?? []) freeze(model.at(i));
  return report;
}

/** The training-batch augmentation module for 28×28 inputs, or null. */
export function trainingAugment(t: TransferOptions, seed: number, size: [number, number]): Augment | null {
  return t.augment?.length ? augment(t.augment, { seed, inputSize: size }) : null;
}
