import { noGrad } from '../autograd.js';
import { resolveViews, type TTAView } from '../augment/views.js';
import { ArgumentError } from '../errors.js';
import * as G from '../grad/index.js';
import type { Module } from '../nn/module.js';
import { imageViews } from '../ops/augment.js';
import type { Tensor } from '../tensor.js';

/**
 * Test-time augmentation: the model's softmax outputs on every view of the batch, averaged, in one
 * batched forward pass over [V·N, …] (eval mode, no autodiff). Returned as log-probabilities [N, K]: valid
 * logits whose softmax is the averaged prediction (so cross-entropy and argmax read them as any logits).
 */
export function ttaLogits(model: Module, x: Tensor, views: readonly TTAView[]): Tensor {
  if (x.rank !== 4) throw new ArgumentError('tta', `takes image batches [N, C, H, W], got [${x.shape.join(', ')}]`);
  const resolved = resolveViews(views, x.shape[2]!, x.shape[3]!);
  const n = x.shape[0]!;
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const stacked = imageViews(x, resolved);
      const logits = model.forward(stacked);
      stacked.dispose();
      if (logits.rank !== 2) throw new ArgumentError('tta', `the model must output class scores [N, K], got [${logits.shape.join(', ')}]`);
      const probs = G.softmax(logits);
      const byView = probs.reshape([resolved.length, n, logits.shape[1]!]);
      const mean = G.mean(byView, 0);
      for (const t of [logits, probs, byView]) t.dispose();
      const out = G.log(mean);
      mean.dispose();
      return out;
    });
  } finally {
    model.train(wasTraining);
  }
}
