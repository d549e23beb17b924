import { needsGrad, record } from '../autograd.js';
import { ArgumentError } from '../errors.js';
import * as M from '../ops/matmul.js';
import { sum } from '../ops/reduce.js';
import type { Tensor } from '../tensor.js';
import { activateUnfused, isReluOutput, markMasked, markReluOutput, OUTPUT_BASED_ACTIVATIONS, outputActivationBackward, unbroadcast } from './util.js';

/**
 * Differentiable matmul with bias and activation epilogue. With gradients on, relu/sigmoid/tanh stay in
 * the epilogue (their backward reads the output); the others run as a separate activation after it.
 * For C = op(A)·op(B): dop(A) = dC·op(B)ᵀ, dop(B) = op(A)ᵀ·dC, dbias = Σ_rows dC.
 */
export function matmul(a: Tensor, b: Tensor, opts: M.MatmulOptions = {}): Tensor {
  const bias = opts.bias ?? null;
  if (!needsGrad(a, b, bias)) return M.matmul(a, b, opts);
  if ((opts.sumBatch ?? 1) > 1) {
    throw new ArgumentError('matmul', 'sumBatch has no backward rule: run it without gradients (noGrad, or inputs that do not require them), or sum the batched product with sum(…, 0)');
  }
  const act = opts.activation ?? 'none';
  if (act !== 'none' && !OUTPUT_BASED_ACTIVATIONS.has(act)) {
    // slope/alpha belong to the activation: the op rejects them with activation 'none'.
    const pre = matmul(a, b, { ...opts, activation: 'none', slope: undefined, alpha: undefined });
    return activateUnfused(act, pre, opts);
  }
  const y = M.matmul(a, b, opts);
  if (act === 'relu') markReluOutput(y);
  const ta = opts.transposeA ?? false, tb = opts.transposeB ?? false;
  const inputs = bias ? [a, b, bias] : [a, b];
  return record(y, 'matmul', inputs, (g) => {
    const dpre = outputActivationBackward(act, g, y);
    let da: Tensor | null = null, db: Tensor | null = null, dbias: Tensor | null = null;
    if (a.requiresGrad) {
      // a produced by a ReLU, and da computed in a's own shape: the ReLU's backward rides in this product.
      const unbatched = a.rank === y.rank && a.shape.every((d, i) => i >= a.rank - 2 || d === y.shape[i]);
      const gate = isReluOutput(a) && unbatched ? a : undefined;
      const full = ta ? M.matmul(b, dpre, { transposeA: tb, transposeB: true, gate }) : M.matmul(dpre, b, { transposeB: !tb, gate });
      da = unbroadcast(full, a.shape);
      if (da !== full) full.dispose();
      else if (gate) markMasked(da);
    }
    if (b.requiresGrad) {
      const full = tb ? M.matmul(dpre, a, { transposeA: true, transposeB: ta }) : M.matmul(a, dpre, { transposeA: !ta });
      db = unbroadcast(full, b.shape);
      if (db !== full) full.dispose();
    }
    if (bias?.requiresGrad) {
      const rows = Array.from({ length: dpre.rank - 1 }, (_, i) => i);
      dbias = sum(dpre, rows);
    }
    if (dpre !== g) dpre.dispose();
    return bias ? [da, db, dbias] : [da, db];
  });
}
