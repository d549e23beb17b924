import { noGrad } from '../autograd.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { softmax } from '../ops/activation.js';
import type { Tensor } from '../tensor.js';

/** The k most probable classes of each sample, row-major [rows, k], most probable first. */
export interface TopK {
  rows: number;
  k: number;
  /** Class indices, [rows × k]. */
  indices: Int32Array;
  /** Their probabilities, [rows × k]. */
  probabilities: Float32Array;
  /** Row r as { index, probability } pairs. */
  row(r: number): { index: number; probability: number }[];
}

/** Class probabilities (softmax of the logits over the last axis) for a batch [N, …] in eval mode, on the GPU. */
export function predictProbabilities(model: Module, x: Tensor): Tensor {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const logits = model.forward(x);
      try {
        return softmax(logits);
      } finally {
        logits.dispose();
      }
    });
  } finally {
    model.train(wasTraining);
  }
}

/**
 * The k largest entries of each row of a [N, C] tensor of probabilities (or scores), read back
 * asynchronously; ties go to the lower class index.
 */
export async function topK(probabilities: Tensor, k: number): Promise<TopK> {
  const op = 'topK';
  if (probabilities.rank !== 2) throw new ShapeError(op, [probabilities.shape], 'expected [samples, classes]');
  if (probabilities.dtype !== 'f32') throw new DTypeError(op, [probabilities.dtype], 'expected f32 probabilities');
  const [rows, classes] = probabilities.shape as [number, number];
  if (!Number.isInteger(k) || k < 1 || k > classes) throw new ArgumentError(op, `k must be an integer from 1 to the ${classes} classes, got ${k}`);
  const values = (await probabilities.toArray()) as Float32Array;
  const indices = new Int32Array(rows * k), probs = new Float32Array(rows * k);
  const order = Array.from({ length: classes }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const row = values.subarray(r * classes, (r + 1) * classes);
    // NaN sorts last, so a broken row shows as such rather than as a confident class.
    order.sort((a, b) => (Number.isNaN(row[a]!) ? 1 : 0) - (Number.isNaN(row[b]!) ? 1 : 0) || row[b]! - row[a]! || a - b);
    for (let j = 0; j < k; j++) {
      indices[r * k + j] = order[j]!;
      probs[r * k + j] = row[order[j]!]!;
    }
    order.sort((a, b) => a - b);
  }
  const out = { rows, k, indices, probabilities: probs } as TopK;
  // Not enumerable: the result stays plain data that postMessage (structured clone) can carry.
  Object.defineProperty(out, 'row', {
    value: (r: number) => Array.from({ length: k }, (_, j) => ({ index: indices[r * k + j]!, probability: probs[r * k + j]! })),
    enumerable: false,
  });
  return out;
}

/** The k most probable classes of each sample of a batch, with their probabilities (eval mode). */
export async function predictTopK(model: Module, x: Tensor, k = 3): Promise<TopK> {
  if (!Number.isInteger(k) || k < 1) throw new ArgumentError('predictTopK', `k must be a positive integer, got ${k}`);
  const p = predictProbabilities(model, x);
  try {
    return await topK(p, k);
  } finally {
    p.dispose();
  }
}
