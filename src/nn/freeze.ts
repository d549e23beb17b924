import type { Tensor } from '../tensor.js';
import { BatchNorm1d, BatchNorm2d } from './layers.js';
import type { Module } from './module.js';

export interface FreezeOptions {
  /**
   * Also fix the running statistics of every batch norm inside (they stay in eval mode, using and keeping
   * running_mean/var, even when the model is put in training mode): what PyTorch users do with `.eval()`
   * on the frozen part. Default false, as `requires_grad_(False)` alone in PyTorch.
   */
  batchNormStats?: boolean;
}

/** The module and every module inside it, depth first. */
export function modulesOf(module: Module): Module[] {
  return [module, ...module.namedChildren().flatMap(([, m]) => modulesOf(m))];
}

function isBatchNorm(m: Module): boolean {
  return m instanceof BatchNorm1d || m instanceof BatchNorm2d;
}

/**
 * Stops training every parameter of `module` (PyTorch's `module.requires_grad_(False)`): autodiff computes
 * no gradient for them (their gradient kernels are absent from a compiled step), and optimizers leave
 * them untouched (no update, no weight decay). Returns the module.
 */
export function freeze<M extends Module>(module: M, options: FreezeOptions = {}): M {
  for (const p of module.parameters()) p.requireGrad(false);
  if (options.batchNormStats) {
    for (const m of modulesOf(module)) if (isBatchNorm(m)) m.lockEval(true);
  }
  return module;
}

/** Trains every parameter of `module` again and lets its batch norms update their statistics. Returns the module. */
export function unfreeze<M extends Module>(module: M): M {
  for (const p of module.parameters()) p.requireGrad(true);
  for (const m of modulesOf(module)) m.lockEval(false);
  return module;
}

/** The parameters that will be trained (requiresGrad true), by PyTorch name. */
export function trainableParameters(module: Module): [string, Tensor][] {
  return module.namedParameters().filter(([, p]) => p.requiresGrad);
}
