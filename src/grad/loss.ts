import { needsGrad, record } from '../autograd.js';
import * as L from '../ops/loss.js';
import { guardWithStepFault, latchLabelFault } from '../ops/step-fault.js';
import type { Tensor } from '../tensor.js';
import { scaleBy } from './util.js';

/**
 * Differentiable losses. Cross-entropy computes its gradient in the forward kernel (fused), so the
 * backward is free when the loss is the root (the usual `loss.backward()`).
 */
export function crossEntropy(logits: Tensor, labels: L.Labels, opts: Omit<L.CrossEntropyOptions, 'grad'> = {}): Tensor {
  // Labels already on the GPU are checked there (CPU labels before any dispatch): the fault is latched
  // into the runtime's record, the optimizer skips that step's update, and reading the loss reports it.
  if ((opts.reduction ?? 'mean') === 'none') {
    const r = checked(L.softmaxCrossEntropy(logits, labels, { ...opts, grad: false, checkLabels: true }));
    if (!needsGrad(logits)) return r;
    return record(r, 'crossEntropy', [logits], (g) => [L.softmaxCrossEntropyBackward(logits, labels, g, opts)]);
  }
  const withGrad = needsGrad(logits);
  const r = L.softmaxCrossEntropy(logits, labels, { ...opts, grad: withGrad, checkLabels: true });
  const loss = checked(r);
  if (!withGrad) return loss;
  const grad = r.grad!;
  return record(loss, 'crossEntropy', [logits], (g) => [scaleBy(grad, g)]);
}

/** Latches the GPU label check of a cross-entropy result and guards reads of its loss with it. */
function checked(r: L.CrossEntropyResult): Tensor {
  const check = r.labelCheck;
  if (!check) return r.loss;
  latchLabelFault('crossEntropy', check.status, check.labels, check.classes);
  check.status.dispose();
  return guardWithStepFault(r.loss);
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
