import { needsGrad, record } from '../autograd.js';
import * as A from '../ops/activation.js';
import * as E from '../ops/elementwise.js';
import type { Operand } from '../ops/elementwise.js';
import { Tensor } from '../tensor.js';
import { markReluOutput, outputActivationBackward, unbroadcast } from './util.js';

/** Differentiable elementwise ops: forward kernel and backward rule side by side. */

const tensorOrNull = (x: Operand): Tensor | null => (x instanceof Tensor ? x : null);

function binaryRule(op: string, a: Operand, b: Operand, out: Tensor, rule: (g: Tensor) => [Tensor | null, Tensor | null]): Tensor {
  const ta = tensorOrNull(a), tb = tensorOrNull(b);
  if (!needsGrad(ta, tb)) return out;
  const inputs = [ta, tb].filter((t): t is Tensor => t !== null);
  return record(out, op, inputs, (g) => {
    const [ga, gb] = rule(g);
    // Sum broadcast dimensions away; intermediates (not g itself, which the engine owns) are freed.
    const reduce = (t: Tensor | null, full: Tensor | null): Tensor | null => {
      if (!t || !full) return null;
      const r = unbroadcast(full, t.shape);
      if (r !== full && full !== g) full.dispose();
      return r;
    };
    const grads: (Tensor | null)[] = [];
    if (ta) grads.push(reduce(ta, ga));
    if (tb) grads.push(reduce(tb, gb));
    return grads;
  });
}

export function add(a: Operand, b: Operand): Tensor {
  return binaryRule('add', a, b, E.add(a, b), (g) => [tensorOrNull(a)?.requiresGrad ? g : null, tensorOrNull(b)?.requiresGrad ? g : null]);
}

export function sub(a: Operand, b: Operand): Tensor {
  return binaryRule('sub', a, b, E.sub(a, b), (g) => [tensorOrNull(a)?.requiresGrad ? g : null, tensorOrNull(b)?.requiresGrad ? E.neg(g) : null]);
}

export function mul(a: Operand, b: Operand): Tensor {
  return binaryRule('mul', a, b, E.mul(a, b), (g) => [
    tensorOrNull(a)?.requiresGrad ? E.mul(g, b) : null,
    tensorOrNull(b)?.requiresGrad ? E.mul(g, a) : null,
  ]);
}

export function div(a: Operand, b: Operand): Tensor {
  const out = E.div(a, b);
  return binaryRule('div', a, b, out, (g) => {
    const ga = tensorOrNull(a)?.requiresGrad ? E.div(g, b) : null;
    let gb: Tensor | null = null;
    if (tensorOrNull(b)?.requiresGrad) {
      // d(a/b)/db = −(a/b)/b
      const q = E.div(out, b);
      const t = E.mul(g, q);
      gb = E.neg(t);
      q.dispose();
      t.dispose();
    }
    return [ga, gb];
  });
}

/** x^p for a constant exponent p. */
export function pow(x: Tensor, p: number): Tensor {
  const out = E.pow(x, p);
  if (!needsGrad(x)) return out;
  return record(out, 'pow', [x], (g) => {
    const d = E.pow(x, p - 1);
    const s = E.mul(d, p);
    const gx = E.mul(g, s);
    d.dispose();
    s.dispose();
    return [gx];
  });
}

export function neg(x: Tensor): Tensor {
  const out = E.neg(x);
  return needsGrad(x) ? record(out, 'neg', [x], (g) => [E.neg(g)]) : out;
}

export function exp(x: Tensor): Tensor {
  const out = E.exp(x);
  return needsGrad(x) ? record(out, 'exp', [x], (g) => [E.mul(g, out)]) : out;
}

export function log(x: Tensor): Tensor {
  const out = E.log(x);
  return needsGrad(x) ? record(out, 'log', [x], (g) => [E.div(g, x)]) : out;
}

export function sqrt(x: Tensor): Tensor {
  const out = E.sqrt(x);
  if (!needsGrad(x)) return out;
  return record(out, 'sqrt', [x], (g) => {
    const t = E.div(g, out);
    const gx = E.mul(t, 0.5);
    t.dispose();
    return [gx];
  });
}

/** y-based activations: the backward reads the output, so the input may be freed. */
function yActivation(kind: 'relu' | 'sigmoid' | 'tanh', x: Tensor, forward: (x: Tensor) => Tensor): Tensor {
  const y = forward(x);
  if (!needsGrad(x)) return y;
  if (kind === 'relu') markReluOutput(y);
  return record(y, kind, [x], (g) => [outputActivationBackward(kind, g, y)]);
}

export const relu = (x: Tensor): Tensor => yActivation('relu', x, E.relu);
export const sigmoid = (x: Tensor): Tensor => yActivation('sigmoid', x, E.sigmoid);
export const tanh = (x: Tensor): Tensor => yActivation('tanh', x, E.tanh);

/** x-based activations (LeakyReLU, ELU, GELU). */
function xActivation(kind: 'leakyRelu' | 'elu' | 'gelu', x: Tensor, opts: A.ActivationOptions): Tensor {
  const y = A.activation(kind, x, opts);
  return needsGrad(x) ? record(y, kind, [x], (g) => [A.activationBackward(kind, g, x, opts)]) : y;
}

export const leakyRelu = (x: Tensor, slope = 0.01): Tensor => xActivation('leakyRelu', x, { slope });
export const elu = (x: Tensor, alpha = 1): Tensor => xActivation('elu', x, { alpha });
export const gelu = (x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor => xActivation('gelu', x, { approximate });

/** Softmax along `axis` (PyTorch's dim; default the last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  const y = A.softmax(x, axis);
  return needsGrad(x) ? record(y, 'softmax', [x], (g) => [A.softmaxBackward(g, y, axis)]) : y;
}

/** Log-softmax along `axis` (PyTorch's dim; default the last). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const y = A.logSoftmax(x, axis);
  return needsGrad(x) ? record(y, 'logSoftmax', [x], (g) => [A.logSoftmaxBackward(g, y, axis)]) : y;
}

/** Maxout over groups of k consecutive features of the last axis. */
export function maxout(x: Tensor, k: number): Tensor {
  const y = A.maxout(x, k);
  return needsGrad(x) ? record(y, 'maxout', [x], (g) => [A.maxoutBackward(g, x, k)]) : y;
}
