import type { Runtime } from '../device.js';
import * as G from '../grad/index.js';
import { zeros } from '../ops/creation.js';
import { argmax } from '../ops/reduce.js';
import { equal } from '../ops/elementwise.js';
import { copyTensor, keep, type Tensor } from '../tensor.js';

/**
 * Running sums of loss·batch and correct predictions kept on the GPU: each step adds into them (inside
 * a compiled step too: the copy back into the accumulator is recorded), and they are read once per epoch,
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

  /** Adds one batch (call inside the step, before returning). */
  add(loss: Tensor, logits: Tensor, labels: Tensor): void {
    const batch = logits.shape[0]!;
    const weighted = G.mul(loss.detach(), batch);
    this.accumulate(this.lossSum, weighted);
    const hits = equal(argmax(logits.detach(), 1), labels);
    this.accumulate(this.correct, G.sum(hits));
  }

  /** Counts samples on the CPU side (the step itself may be a replay that runs no JavaScript). */
  countBatch(size: number): void {
    this.samples += size;
  }

  async read(): Promise<{ loss: number; accuracy: number; samples: number }> {
    const [l, c] = await Promise.all([this.lossSum.item(), this.correct.item()]);
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

  private accumulate(acc: Tensor, value: Tensor): void {
    copyTensor('metrics', G.add(acc, value), acc);
  }
}
