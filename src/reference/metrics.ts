/** float64 reference of `accumulateClassification` (src/ops/metrics.ts). */

/** torch.argmax of one row: the first maximum, NaN beating every number (the first NaN). */
export function refArgmax(row: ArrayLike<number>): number {
  let arg = 0;
  for (let c = 1; c < row.length; c++) {
    const best = row[arg]!, v = row[c]!;
    if (Number.isNaN(best)) break;
    if (Number.isNaN(v) || v > best) arg = c;
  }
  return arg;
}

/** What one batch adds to the running sums: loss·N, and the rows whose argmax equals their label. */
export function refClassificationBatch(loss: number, logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): { lossSum: number; correct: number } {
  const rows = labels.length;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: classes }, (_, c) => logits[r * classes + c]!);
    if (refArgmax(row) === labels[r]) correct++;
  }
  return { lossSum: loss * rows, correct };
}
