import { needsGrad, record } from '../autograd.js';
import * as L from '../ops/loss.js';
import type { Tensor } from '../tensor.js';
import { scaleBy } from './util.js';

/**
 * Differentiable losses. Cross-entropy computes its gradient in the forward kernel (fused), so the
 * backward is free when the loss is the root (the usual `loss.backward()`).
 */
export function crossEntropy(logits: Tensor, labels: L.Labels, opts: Omit<L.CrossEntropyOptions, 'grad'> = {}): Tensor {
  // The differentiable form returns the loss alone, so nothing would read a GPU label counter.
  if ((opts.reduction ?? 'mean') === 'none') {
    const r = L.softmaxCrossEntropy(logits, labels, { ...opts, grad: false, checkLabels: false });
    if (!needsGrad(logits)) return r.loss;
    return record(r.loss, 'crossEntropy', [logits], (g) => [L.softmaxCrossEntropyBackward(logits, labels, g, opts)]);
  }
  const withGrad = needsGrad(logits);
  const r = L.softmaxCrossEntropy(logits, labels, { ...opts, grad: withGrad, checkLabels: false });
  if (!withGrad) return r.loss;
  const grad = r.grad!;
  return record(r.loss, 'crossEntropy', [logits], (g) => [scaleBy(grad, g)]);
}

export function bceWithLogits(logits: Tensor, targets: Tensor, opts: { reduction?: L.Reduction } = {}): Tensor {
  const r = L.bceWithLogits(logits, targets, { ...opts, grad: false });
  if (!needsGrad(logits)) return r.loss;
  return record(r.loss, 'bceWithLogits', [logits], (g) => [L.bceWithLogitsBackward(logits, targets, g, opts)]);
}

export function mseLoss(pred: Tensor, targets: Tensor, opts: { reduction?: L.Reduction } = {}): Tensor {
  const r = L.mseLoss(pred, targets, { ...opts, grad: false });
  if (!needsGrad(pred)) return r.loss;
  return record(r.loss, 'mseLoss', [pred], (g) => [L.mseLossBackward(pred, targets, g, opts)]);
}

/** The lecture's R(W) = λ·ΣW² over the given parameters (gradient 2λW). */
export function l2Penalty(params: readonly Tensor[], lambda: number): Tensor {
  const y = L.l2Penalty(params, lambda);
  if (!needsGrad(...params)) return y;
  return record(y, 'l2Penalty', params, (g) => L.l2PenaltyBackward(params, lambda, g));
}
