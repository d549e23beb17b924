import { defineKernel, type Specialization } from '../src/kernel.js';
import { f32bits } from '../src/params.js';
import type { OptimConfig } from '../src/optim/config.js';
import update from '../shaders/optimizer-update.wgsl?raw';
import solo from '../shaders/optimizer.wgsl?raw';
import trials from '../shaders/optimizer-trials.wgsl?raw';

const arenaBindings = { params: 'read_write', grads: 'read_write', s1: 'read_write', s2: 'read_write', s3: 'read_write' } as const;

export const optimizerKernel = defineKernel({
  name: 'optimizer',
  source: `${update}\n${solo}`,
  bindings: { ...arenaBindings, h: 'read', grad_norm: 'read', fault: 'read' },
});

/** The same update over a stack of trials, each with its own Hyper (src/search/trial-stack.ts). */
export const optimizerTrialsKernel = defineKernel({
  name: 'optimizer-trials',
  source: `${update}\n${trials}`,
  bindings: { ...arenaBindings, hs: 'read', seg: 'read', fault: 'read' },
});

export const OPTIMIZER_WORKGROUP = 256;
/** Bytes of shaders/optimizer.wgsl's Hyper struct. */
export const HYPER_BYTES = 14 * 4;

/** The `const` values of shaders/optimizer.wgsl for a configuration: one pipeline per optimizer setup. */
export function optimizerSpecialization(c: OptimConfig, clip: boolean): Specialization {
  const kind = c.kind === 'sgd' ? (c.momentum === 0 ? 0 : c.nesterov ? 2 : 1)
    : c.kind === 'adagrad' ? 3 : c.kind === 'rmsprop' ? 4 : c.kind === 'adam' ? 5 : 6;
  return { KIND: `${kind}u`, CLIP: String(clip), CENTERED: String(c.centered), RMS_MOMENTUM: String(c.kind === 'rmsprop' && c.momentum > 0) };
}

/**
 * The Hyper struct for step `t` (1 on the first step) at learning rate `lr`: the step-dependent scalars are
 * computed here in float64, as PyTorch computes them in Python, and rounded to f32 once.
 */
export function optimizerHyper(c: OptimConfig, t: number, lr: number, maxNorm: number, n4: number): Uint32Array {
  let stepLr = lr, bc2Sqrt = 1;
  if (c.kind === 'adagrad') stepLr = lr / (1 + (t - 1) * c.lrDecay);
  if (c.kind === 'adam' || c.kind === 'adamw') {
    stepLr = lr / (1 - c.beta1 ** t);
    bc2Sqrt = Math.sqrt(1 - c.beta2 ** t);
  }
  const floats = [
    stepLr, c.weightDecay, 1 - lr * c.weightDecay, c.momentum, 1 - c.dampening,
    c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.eps, bc2Sqrt, maxNorm,
  ];
  return Uint32Array.of(n4, t === 1 ? 1 : 0, ...floats.map(f32bits));
}
