import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { empty, type Tensor } from '../tensor.js';
import { mul } from './elementwise.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { cosineTopKKernel } from '../../kernels/cosine-topk.js';

export interface Neighbors {
  /** Gallery rows [Q, k] (i32), most similar first; equal similarities in increasing index order. */
  indices: Tensor;
  /** Their cosine similarities [Q, k] (f32). */
  scores: Tensor;
}

/**
 * Cosine top-k on the GPU: for each query row the k gallery rows of highest cosine similarity
 * q·g / √max(‖q‖²·‖g‖², 1e-16) (PyTorch's cosine_similarity with eps 1e-8), as similar-image search over
 * feature vectors. One matmul for the dot products, two row sums of squares, and one selection kernel
 * (one workgroup per query, k rounds of a 256-thread argmax); ties go to the lower gallery index.
 */
export function nearestNeighbors(queries: Tensor, gallery: Tensor, k: number): Neighbors {
  const op = 'nearestNeighbors';
  queries.buffer(op);
  gallery.buffer(op);
  if (queries.dtype !== 'f32' || gallery.dtype !== 'f32') throw new DTypeError(op, [queries.dtype, gallery.dtype], 'queries and gallery must be f32');
  if (queries.rank !== 2 || gallery.rank !== 2 || queries.shape[1] !== gallery.shape[1]) {
    throw new ShapeError(op, [queries.shape, gallery.shape], 'queries [Q, D] and gallery [G, D] with the same D (flatten features first)');
  }
  const [q, d] = queries.shape as [number, number], g = gallery.shape[0]!;
  if (!(Number.isInteger(k) && k >= 1 && k <= g)) throw new ArgumentError(op, `k must be an integer in [1, ${g}] (the gallery has ${g} rows), got ${k}`);
  if (d === 0) throw new ShapeError(op, [queries.shape, gallery.shape], 'feature vectors must not be empty');
  const rt = queries.rt;
  const indices = empty([q, k], 'i32', op, rt), scores = empty([q, k], 'f32', op, rt);
  if (q === 0) return { indices, scores };
  const sim = matmul(queries, gallery, { transposeB: true });
  const qq = mul(queries, queries), gg = mul(gallery, gallery);
  const qSq = sum(qq, 1), gSq = sum(gg, 1);
  rt.dispatch({
    op, kernel: cosineTopKKernel, workgroups: q,
    bindings: { sim: sim.buffer(op), q_sq: qSq.buffer(op), g_sq: gSq.buffer(op), indices: indices.buffer(op), scores: scores.buffer(op), p: Uint32Array.of(q, g, k) },
  });
  for (const t of [sim, qq, gg, qSq, gSq]) t.dispose();
  return { indices, scores };
}
