import { ArgumentError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';

/**
 * `fit` with an optimizer over another model's parameters would train nothing and say nothing: refuse it.
 * An optimizer over part of the model (frozen layers) or with extra tensors (a learned loss parameter) is
 * fine; one that updates none of the model's parameters is not.
 */
export function checkOptimizerOwnsModel(op: string, model: Module, optimizer: Optimizer): void {
  const own = new Set(model.parameters());
  if (own.size === 0) throw new ArgumentError(op, 'the model has no parameters to train');
  if (!optimizer.params.some((p) => own.has(p))) {
    throw new ArgumentError(op, `the optimizer updates ${optimizer.params.length} tensors, none of them a parameter of the model (${own.size} parameters): build it from model.parameters()`);
  }
}
