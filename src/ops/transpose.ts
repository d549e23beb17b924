import { ArgumentError } from '../errors.js';
import { normalizeAxis, type Shape } from '../shape.js';
import { copyTensor, empty, type Tensor } from '../tensor.js';
import { PERMUTE_MAX_RANK, PERMUTE_WORKGROUP, permuteKernel, permuteParams } from '../../kernels/permute.js';
import { transpose2dKernel, transpose2dLaunch } from '../../kernels/transpose2d.js';

/**
 * The same data movement on the fewest dimensions: size-1 dimensions are dropped and input dimensions that
 * stay neighbours, in order, in the output merge into one. So [2, 3, 4, 5] with dims [0, 1, 3, 2] becomes
 * [6, 4, 5] with [0, 2, 1] (a batched transpose), and any identity becomes a single dimension or none.
 */
export function simplifyPermutation(shape: Shape, dims: readonly number[]): { shape: number[]; dims: number[] } {
  const newIndex = new Map<number, number>();
  shape.forEach((d, i) => {
    if (d !== 1) newIndex.set(i, newIndex.size);
  });
  const kept = shape.filter((d) => d !== 1);
  const order = dims.filter((d) => shape[d] !== 1).map((d) => newIndex.get(d)!);
  // Runs of input dimensions that move together, in output order.
  const runs: { start: number; size: number }[] = [];
  let prev = -2;
  for (const d of order) {
    const last = runs[runs.length - 1];
    if (last && d === prev + 1) last.size *= kept[d]!;
    else runs.push({ start: d, size: kept[d]! });
    prev = d;
  }
  const byStart = [...runs].sort((a, b) => a.start - b.start);
  return { shape: byStart.map((r) => r.size), dims: runs.map((r) => byStart.indexOf(r)) };
}

function permuteAs(op: string, x: Tensor, dims: readonly number[]): Tensor {
  x.buffer(op);
  const axes = dims.map((d) => normalizeAxis(op, d, x.rank));
  if (axes.length !== x.rank || new Set(axes).size !== x.rank) {
    throw new ArgumentError(op, `dims [${dims.join(', ')}] are not a permutation of the ${x.rank} dimensions of shape [${x.shape.join(', ')}]`);
  }
  const s = simplifyPermutation(x.shape, axes);
  if (s.dims.length > PERMUTE_MAX_RANK) {
    throw new ArgumentError(op, `moves ${s.dims.length} independent dimensions; at most ${PERMUTE_MAX_RANK} are supported`);
  }
  const rt = x.rt;
  const out = empty(axes.map((d) => x.shape[d]!), x.dtype, op, rt);
  if (out.size === 0) return out;
  const key = s.dims.join(',');
  if (s.dims.length <= 1) {
    copyTensor(op, x, out);
  } else if (key === '1,0' || key === '0,2,1') {
    const [batch, rows, cols] = (key === '1,0' ? [1, ...s.shape] : s.shape) as [number, number, number];
    const { params, workgroups } = transpose2dLaunch(batch, rows, cols);
    rt.dispatch({ op, kernel: transpose2dKernel, bindings: { x: x.buffer(op), out: out.buffer(op), p: params }, workgroups });
  } else {
    rt.dispatch({
      op, kernel: permuteKernel, bindings: { x: x.buffer(op), out: out.buffer(op), p: permuteParams(s.shape, s.dims) },
      workgroups: Math.ceil(x.size / PERMUTE_WORKGROUP),
    });
  }
  return out;
}

/** Reorders dimensions: output dimension k is input dimension dims[k] (negative dims count from the end). Any dtype. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  return permuteAs('permute', x, dims);
}

/** Swaps two dimensions, by default the last two (a batched matrix transpose). Any dtype. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const a = normalizeAxis('transpose', dim0, x.rank);
  const b = normalizeAxis('transpose', dim1, x.rank);
  const dims = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permuteAs('transpose', x, dims);
}
