import type { Module } from '../nn/module.js';
import { copyTensor, empty, keep, type Tensor } from '../tensor.js';

/** A GPU copy of a model's parameters and buffers (for early stopping's best epoch). */
export interface Snapshot {
  readonly tensors: Map<string, Tensor>;
  dispose(): void;
}

export function snapshot(model: Module): Snapshot {
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of model.stateDict()) {
    const copy = keep(empty(t.shape, t.dtype, 'snapshot', t.rt));
    copyTensor('snapshot', t, copy);
    tensors.set(name, copy);
  }
  return { tensors, dispose: () => tensors.forEach((t) => t.dispose()) };
}

export function restoreSnapshot(model: Module, snap: Snapshot): void {
  model.loadStateDict(snap.tensors);
}
