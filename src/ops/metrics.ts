import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { metricsKernel } from '../../kernels/metrics.js';

/**
 * Adds one classification batch to running sums kept on the GPU, in one dispatch:
 * `lossSum += loss · N` and `correct += #{ i : argmax_c logits[i, c] == labels[i] }` (argmax: the first
 * maximum; NaN beats every number, like torch.argmax). `loss` is the batch's mean loss (one element),
 * `logits` [N, C] f32, `labels` [N] i32 or u32 (an out-of-range label counts as a miss); the two sums are
 * one-element f32 tensors updated in place. No gradient flows through it.
 * Stacked batches (a search's trials on one batch): `loss` [T], `logits` [T·N, C], `labels` [N] shared, and
 * T-element sums: batch t adds into sums[t], exactly as it would alone.
 */
export function accumulateClassification(loss: Tensor, logits: Tensor, labels: Tensor, lossSum: Tensor, correct: Tensor): void {
  const op = 'accumulateClassification';
  for (const t of [loss, logits, labels, lossSum, correct]) t.buffer(op);
  if (logits.dtype !== 'f32' || loss.dtype !== 'f32' || lossSum.dtype !== 'f32' || correct.dtype !== 'f32') {
    throw new DTypeError(op, [loss.dtype, logits.dtype, lossSum.dtype, correct.dtype], 'loss, logits and both sums must be f32');
  }
  if (labels.dtype !== 'i32' && labels.dtype !== 'u32') throw new DTypeError(op, [labels.dtype], 'labels must be i32 or u32 class indices');
  if (logits.rank !== 2 || logits.shape[1] === 0) throw new ShapeError(op, [logits.shape], 'logits must be [N, C] with C ≥ 1');
  const stacked = loss.size;
  if (stacked === 0) throw new ShapeError(op, [loss.shape], 'loss must have one element (one per stacked batch)');
  const [allRows, classes] = logits.shape as [number, number];
  const rows = allRows / stacked;
  if (!Number.isInteger(rows)) throw new ShapeError(op, [loss.shape, logits.shape], `logits' ${allRows} rows are not ${stacked} stacked batches (one per loss value)`);
  if (labels.rank !== 1 || labels.shape[0] !== rows) throw new ShapeError(op, [logits.shape, labels.shape], `labels must be [N] = [${rows}]`);
  for (const [name, t] of [['lossSum', lossSum], ['correct', correct]] as const) {
    if (t.size !== stacked) throw new ShapeError(op, [loss.shape, t.shape], `${name} must have one element per loss value (${stacked})`);
  }
  const rt = logits.rt;
  if ([loss, labels, lossSum, correct].some((t) => t.rt !== rt)) throw new ArgumentError(op, 'the tensors live on different devices');
  if (lossSum.storage === correct.storage) throw new ArgumentError(op, 'lossSum and correct must be different tensors');
  if (rows === 0) return;
  rt.dispatch({
    op, kernel: metricsKernel, workgroups: stacked,
    bindings: {
      logits: logits.buffer(op), labels: labels.buffer(op), loss: loss.buffer(op), loss_sum: lossSum.buffer(op), correct: correct.buffer(op),
      p: Uint32Array.of(rows, classes, 0, 0),
    },
  });
}
