import { needsGrad, record } from '../autograd.js';
import * as A from '../ops/activation.js';
import { full } from '../ops/creation.js';
import type { Activation } from '../ops/matmul.js';
import * as E from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { sameShape, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** Seeds made by `backward()` (all ones): rules may skip multiplying by them. */
const unitSeeds = new WeakSet<Tensor>();

export function unitSeed(shape: Shape, like: Tensor): Tensor {
  const t = full(shape, 1, 'f32', like.rt);
  unitSeeds.add(t);
  return t;
}

export function isUnit(g: Tensor): boolean {
  return unitSeeds.has(g);
}

/** Sums a broadcast gradient back to the shape of the operand that was broadcast (NumPy rules). */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length ? sum(g, axes, true) : g;
  const out = s.reshape(shape);
  if (s !== g) s.dispose();
  return out;
}

/** g scaled by a scalar upstream gradient, skipping the multiply for the unit seed. */
export function scaleBy(g: Tensor, upstream: Tensor): Tensor {
  return isUnit(upstream) ? g : E.mul(g, upstream);
}

/** Expands g (a reduction's result, kept dims) to `shape`. */
export function expandTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const z = full(shape, 0, 'f32', g.rt);
  const out = E.add(z, g);
  z.dispose();
  return out;
}

/** Outputs of ReLUs (standalone, or in a matmul/conv epilogue), which a consumer may gate its gradient by. */
const reluOutputs = new WeakSet<Tensor>();
/** Gradients a consumer already multiplied by their ReLU's mask (y > 0), fusing the ReLU's backward into its own kernel. */
const maskedGrads = new WeakSet<Tensor>();

export function markReluOutput(y: Tensor): Tensor {
  reluOutputs.add(y);
  return y;
}

/** Whether a consumer of `x` may compute x's gradient already masked by (x > 0) (then `markMasked` it). */
export function isReluOutput(x: Tensor): boolean {
  return reluOutputs.has(x);
}

export function markMasked(g: Tensor): Tensor {
  maskedGrads.add(g);
  return g;
}

/**
 * The ReLU's backward g·(y > 0) — skipped when the consumer already applied the mask. Applying it twice is
 * harmless (the mask is idempotent and linear), so a gradient summed from several consumers, which loses
 * the mark, is simply masked again.
 */
export function reluBackward(g: Tensor, y: Tensor): Tensor {
  return maskedGrads.has(g) ? g : A.activationBackward('relu', g, y);
}

/** The backward of an epilogue activation whose derivative reads the output y (relu, sigmoid, tanh). */
export function outputActivationBackward(act: Activation, g: Tensor, y: Tensor): Tensor {
  if (act === 'none') return g;
  if (act === 'relu') return reluBackward(g, y);
  return A.activationBackward(act as 'sigmoid' | 'tanh', g, y);
}

/** Epilogue activations whose backward reads only the output, so matmul/conv keep them fused when training. */
export const OUTPUT_BASED_ACTIVATIONS: ReadonlySet<Activation> = new Set<Activation>(['relu', 'sigmoid', 'tanh']);

/**
 * The training path for epilogue activations whose backward needs the input (leakyRelu, elu, gelu —
 * gelu as the epilogue's tanh form): the caller computes the pre-activation, this applies and records it.
 */
export function activateUnfused(act: Activation, pre: Tensor, opts: { slope?: number; alpha?: number }): Tensor {
  const kind = act as 'leakyRelu' | 'elu' | 'gelu';
  const aopts: A.ActivationOptions = { slope: opts.slope, alpha: opts.alpha, approximate: kind === 'gelu' ? 'tanh' : undefined };
  const y = A.activation(kind, pre, aopts);
  return needsGrad(pre) ? record(y, kind, [pre], (g) => [A.activationBackward(kind, g, pre, aopts)]) : y;
}
