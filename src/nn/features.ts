import { Module, type Sequential } from './module.js';
import type { Tensor } from '../tensor.js';

/**
 * A view of a Sequential up to and including layer `upTo` (negative counts from the end: -2 is the layer
 * before the last, for LeNet-5 the ReLU after its 84-unit layer): its outputs are the image descriptors
 * of lecture 000 (e.g. LeNet-5's 84 features before the classifier). It shares the model's layers and
 * owns no parameters; run it in eval mode under `noGrad` for embeddings.
 */
export class FeatureExtractor extends Module {
  constructor(readonly model: Sequential, readonly upTo: number) {
    super();
    model.at(upTo); // an unknown index throws here, before any GPU work
  }

  forward(x: Tensor): Tensor {
    return this.model.forwardTo(x, this.upTo);
  }

  train(mode = true): this {
    this.model.train(mode);
    this.training = this.model.training;
    return this;
  }

  /** The layers belong to the model: nothing to free here. */
  dispose(): void {}
}

/** The embeddings of layer `upTo` of `model` as a module (`features(lenet, -2).forward(x)`: [N, 84]). */
export function features(model: Sequential, upTo: number): FeatureExtractor {
  return new FeatureExtractor(model, upTo);
}
