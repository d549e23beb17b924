import type { Runtime } from '../device.js';
import { zeros } from '../ops/creation.js';
import { checkStepFault } from '../ops/step-fault.js';
import { accumulateClassification } from '../ops/metrics.js';
import { keep, type Tensor } from '../tensor.js';

/**
 * Running sums of loss·batch and correct predictions kept on the GPU: each step adds into them in place
 * with one dispatch (recorded like any other inside a compiled step), and they are read once per epoch,
 * so training needs no CPU sync per step. `size` > 1: one pair of sums per batch of a stack (a search's
 * trials on one batch, see accumulateClassification), read together.
 */
export class MetricAccumulator {
  private readonly lossSum: Tensor;
  private readonly correct: Tensor;
  samples = 0;

  constructor(readonly rt: Runtime, readonly size = 1) {
    const shape = size === 1 ? [] : [size];
    this.lossSum = keep(zeros(shape, 'f32', rt));
    this.correct = keep(zeros(shape, 'f32', rt));
  }

  /** Adds one batch (call inside the step, before returning): `loss` is the batch's mean loss ([size] for a stack). */
  add(loss: Tensor, logits: Tensor, labels: Tensor): void {
    accumulateClassification(loss, logits, labels, this.lossSum, this.correct);
  }

  /** Counts samples on the CPU side (the step itself may be a replay that runs no JavaScript). */
  countBatch(size: number): void {
    this.samples += size;
  }

  async read(): Promise<{ loss: number; accuracy: number; samples: number }> {
    return (await this.readEach())[0]!;
  }

  /** Every pair of sums (one per stacked batch) as means, in one readback. */
  async readEach(): Promise<{ loss: number; accuracy: number; samples: number }[]> {
    // A GPU label fault of any step summed here is reported instead of a NaN loss next to an accuracy.
    const [l, c] = await Promise.all([this.lossSum.toArray(), this.correct.toArray(), checkStepFault(this.rt)]);
    const n = this.samples;
    return Array.from(l, (v, i) => ({ loss: n ? v / n : NaN, accuracy: n ? c[i]! / n : NaN, samples: n }));
  }

  reset(): void {
    for (const t of [this.lossSum, this.correct]) this.rt.upload('MetricAccumulator', t.buffer('MetricAccumulator'), new Float32Array(this.size));
    this.samples = 0;
  }

  dispose(): void {
    this.lossSum.dispose();
    this.correct.dispose();
  }
}
