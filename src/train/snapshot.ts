import { BYTES_PER_ELEMENT } from '../dtype.js';
import type { Module } from '../nn/module.js';
import { empty, keep, type Tensor } from '../tensor.js';

/** A GPU copy of a model's parameters and buffers (for early stopping's best epoch). */
export interface Snapshot {
  readonly tensors: Map<string, Tensor>;
  dispose(): void;
}

function copyInto(dst: Tensor, src: Tensor): void {
  const s = src.buffer('snapshot'), d = dst.buffer('snapshot');
  src.rt.copy('snapshot', s.buffer, d.buffer, src.size * BYTES_PER_ELEMENT, s.offset, d.offset);
}

export function snapshot(model: Module): Snapshot {
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of model.stateDict()) {
    const copy = keep(empty(t.shape, t.dtype, 'snapshot', t.rt));
    copyInto(copy, t);
    tensors.set(name, copy);
  }
  return { tensors, dispose: () => tensors.forEach((t) => t.dispose()) };
}

export function restoreSnapshot(model: Module, snap: Snapshot): void {
  model.loadStateDict(snap.tensors);
}
