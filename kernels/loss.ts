import { defineKernel } from '../src/kernel.js';
import { f32bits } from '../src/params.js';
import crossEntropySource from '../shaders/cross-entropy.wgsl?raw';
import bceSource from '../shaders/bce.wgsl?raw';
import mseSource from '../shaders/mse.wgsl?raw';
import reduceSource from '../shaders/loss-reduce.wgsl?raw';
import l2Source from '../shaders/l2.wgsl?raw';

export const LOSS_WORKGROUP = 256;

/** Which outputs a loss kernel writes (bit mask); the unwritten binding may be a 1-element sink. */
export const WRITE_LOSS = 1;
export const WRITE_GRAD = 2;

/** How the gradient is scaled by the upstream gradient `dloss`. */
export const DLOSS_NONE = 0;
export const DLOSS_SCALAR = 1;
/** One upstream value per row (cross-entropy) or per element (BCE, MSE): reduction 'none'. */
export const DLOSS_EACH = 2;

const lossBindings = { dloss: 'read', loss: 'read_write', grad: 'read_write' } as const;

export const crossEntropyKernel = defineKernel({
  name: 'cross-entropy',
  source: crossEntropySource,
  bindings: { logits: 'read', labels: 'read', ...lossBindings, status: 'read_write', p: 'uniform' },
});

export const bceKernel = defineKernel({
  name: 'bce-with-logits',
  source: bceSource,
  bindings: { logits: 'read', targets: 'read', ...lossBindings, p: 'uniform' },
});

export const mseKernel = defineKernel({
  name: 'mse',
  source: mseSource,
  bindings: { pred: 'read', targets: 'read', ...lossBindings, p: 'uniform' },
});

export const lossReduceKernel = defineKernel({
  name: 'loss-reduce',
  source: reduceSource,
  bindings: { x: 'read', out: 'read_write', p: 'uniform' },
});

export const l2GradKernel = defineKernel({
  name: 'l2-grad',
  source: l2Source,
  bindings: { w: 'read', dloss: 'read', out: 'read_write', p: 'uniform' },
});

/** `labelRows`: labels per stacked batch (row r reads label r mod labelRows); `rows` for one batch. */
export function crossEntropyParams(rows: number, classes: number, smoothing: number, scale: number, dlossMode: number, outputs: number, labelRows = rows): Uint32Array {
  return Uint32Array.of(rows, classes, f32bits(smoothing), f32bits(scale), dlossMode, outputs, labelRows, 0);
}

/** Parameters of the elementwise losses (BCE, MSE). */
export function pointwiseLossParams(n: number, scale: number, dlossMode: number, outputs: number): Uint32Array {
  return Uint32Array.of(n, f32bits(scale), dlossMode, outputs);
}

export function lossReduceParams(n: number, scale: number, square: boolean, accumulate: boolean): Uint32Array {
  return Uint32Array.of(n, f32bits(scale), square ? 1 : 0, accumulate ? 1 : 0);
}

export function l2GradParams(n: number, factor: number, hasDloss: boolean): Uint32Array {
  return Uint32Array.of(n, f32bits(factor), hasDloss ? 1 : 0);
}
