import { needsGrad, record } from '../autograd.js';
import * as E from '../ops/elementwise.js';
import * as R from '../ops/reduce.js';
import { normalizeAxes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import * as T from '../ops/transpose.js';
import { expandTo } from './util.js';

/** Differentiable reductions and shape ops. */

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function sum(x: Tensor, axes?: R.Axes, keepDims = false): Tensor {
  const out = R.sum(x, axes, keepDims);
  if (!needsGrad(x)) return out;
  const ax = normalizeAxes('sum', axes, x.rank);
  return record(out, 'sum', [x], (g) => {
    const gk = g.reshape(keptShape(x.shape, ax));
    const gx = expandTo(gk, x.shape);
    if (gx !== gk) gk.dispose();
    return [gx];
  });
}

export function mean(x: Tensor, axes?: R.Axes, keepDims = false): Tensor {
  const out = R.mean(x, axes, keepDims);
  if (!needsGrad(x)) return out;
  const ax = normalizeAxes('mean', axes, x.rank);
  const count = ax.reduce((n, a) => n * x.shape[a]!, 1);
  return record(out, 'mean', [x], (g) => {
    const gk = g.reshape(keptShape(x.shape, ax));
    const scaled = E.mul(gk, 1 / count);
    gk.dispose();
    const gx = expandTo(scaled, x.shape);
    if (gx !== scaled) scaled.dispose();
    return [gx];
  });
}

/** A view with another shape (no copy); the gradient is reshaped back. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const out = x.reshape(shape);
  return needsGrad(x) ? record(out, 'reshape', [x], (g) => [g.reshape(x.shape)]) : out;
}

/** Flattens dimensions from `startDim` on (PyTorch's flatten, end_dim = -1), as a view. */
export function flatten(x: Tensor, startDim = 1): Tensor {
  const out = x.flatten(startDim);
  return needsGrad(x) ? record(out, 'flatten', [x], (g) => [g.reshape(x.shape)]) : out;
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const out = T.permute(x, dims);
  if (!needsGrad(x)) return out;
  const rank = x.rank;
  const inverse = new Array<number>(rank);
  dims.forEach((d, i) => (inverse[d < 0 ? d + rank : d] = i));
  return record(out, 'permute', [x], (g) => [T.permute(g, inverse)]);
}

export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const out = T.transpose(x, dim0, dim1);
  return needsGrad(x) ? record(out, 'transpose', [x], (g) => [T.transpose(g, dim0, dim1)]) : out;
}
