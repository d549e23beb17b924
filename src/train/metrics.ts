import type { Runtime } from '../device.js';
import { zeros } from '../ops/creation.js';
import { checkStepFault } from '../ops/step-fault.js';
import { accumulateClassification } from '../ops/metrics.js';
import { keep, type Tensor } from '../tensor.js';

/**
 * Running sums of loss·batch and correct predictions kept on the GPU: each step adds into them in place
 * with one dispatch (recorded like any other inside a compiled step), and they are read once per epoch,
 * so training needs no CPU sync per step.
 */
export class MetricAccumulator {
  private readonly lossSum: Tensor;
  private readonly correct: Tensor;
  samples = 0;

  constructor(readonly rt: Runtime) {
    this.lossSum = keep(zeros([], 'f32', rt));
    this.correct = keep(zeros([], 'f32', rt));
  }

  /** Adds one batch (call inside the step, before returning): `loss` is the batch's mean loss. */
  add(loss: Tensor, logits: Tensor, labels: Tensor): void {
    accumulateClassification(loss, logits, labels, this.lossSum, this.correct);
  }

  /** Counts samples on the CPU side (the step itself may be a replay that runs no JavaScript). */
  countBatch(size: number): void {
    this.samples += size;
  }

  async read(): Promise<{ loss: number; accuracy: number; samples: number }> {
    // A GPU label fault of any step summed here is reported instead of a NaN loss next to an accuracy.
    const [l, c] = await Promise.all([this.lossSum.item(), this.correct.item(), checkStepFault(this.rt)]);
    const n = this.samples;
    return { loss: n ? l / n : NaN, accuracy: n ? c / n : NaN, samples: n };
  }

  reset(): void {
    for (const t of [this.lossSum, this.correct]) this.rt.upload('MetricAccumulator', t.buffer('MetricAccumulator'), Float32Array.of(0));
    this.samples = 0;
  }

  dispose(): void {
    this.lossSum.dispose();
    this.correct.dispose();
  }
}
