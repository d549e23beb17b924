/**
 * Float64 CPU reference of the optimizers, written as torch.optim's single-tensor loops (1.13), gradient
 * clipping (torch.nn.utils.clip_grad_norm_) and schedules: the oracle for the fused GPU kernels.
 */
import type { OptimConfig } from '../optim/config.js';
import type { LrSchedule } from '../optim/schedules.js';

/** clip_grad_norm_(norm_type 2): scales the gradients in place, returns the total norm before clipping. */
export function refClipGradNorm(grads: readonly Float64Array[], maxNorm: number): number {
  let sq = 0;
  for (const g of grads) for (const x of g) sq += x * x;
  const total = Math.sqrt(sq);
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i]! *= coef;
  return total;
}

export class RefOptimizer {
  /** State by PyTorch name, one array per parameter. */
  readonly state: Record<string, Float64Array[]> = {};
  step = 0;
  /** Total gradient norm of the last step (with clipping). */
  lastNorm = NaN;

  constructor(
    readonly config: OptimConfig,
    /** Updated in place. */
    readonly params: Float64Array[],
    readonly options: { schedule?: LrSchedule; clipGradNorm?: number } = {},
  ) {
    const zeros = () => params.map((p) => new Float64Array(p.length));
    const c = config;
    if (c.kind === 'sgd' && c.momentum > 0) this.state.momentum_buffer = zeros();
    if (c.kind === 'adagrad') this.state.sum = params.map((p) => new Float64Array(p.length).fill(c.initialAccumulatorValue));
    if (c.kind === 'rmsprop') {
      this.state.square_avg = zeros();
      if (c.momentum > 0) this.state.momentum_buffer = zeros();
      if (c.centered) this.state.grad_avg = zeros();
    }
    if (c.kind === 'adam' || c.kind === 'adamw') {
      this.state.exp_avg = zeros();
      this.state.exp_avg_sq = zeros();
    }
  }

  /** The learning rate of the next step. */
  get lr(): number {
    return this.options.schedule ? this.options.schedule(this.step, this.config.lr) : this.config.lr;
  }

  /** One update; `grads` are copied (clipping does not change the caller's arrays). */
  update(gradients: readonly Float64Array[]): void {
    const lr = this.lr;
    this.step++;
    const grads = gradients.map((g) => Float64Array.from(g));
    if (this.options.clipGradNorm !== undefined) this.lastNorm = refClipGradNorm(grads, this.options.clipGradNorm);
    this.params.forEach((p, k) => this.updateOne(k, p, grads[k]!, lr));
  }

  private updateOne(k: number, p: Float64Array, grad: Float64Array, lr: number): void {
    const c = this.config, t = this.step, s = this.state;
    for (let i = 0; i < p.length; i++) {
      let g = grad[i]!;
      if (c.kind === 'adamw') p[i] = p[i]! * (1 - lr * c.weightDecay);
      else if (c.weightDecay !== 0) g += c.weightDecay * p[i]!;
      switch (c.kind) {
        case 'sgd': {
          let d = g;
          if (c.momentum > 0) {
            const buf = s.momentum_buffer![k]!;
            buf[i] = t === 1 ? g : c.momentum * buf[i]! + (1 - c.dampening) * g;
            d = c.nesterov ? g + c.momentum * buf[i]! : buf[i]!;
          }
          p[i] = p[i]! - lr * d;
          break;
        }
        case 'adagrad': {
          const sum = s.sum![k]!;
          sum[i] = sum[i]! + g * g;
          const clr = lr / (1 + (t - 1) * c.lrDecay);
          p[i] = p[i]! - (clr * g) / (Math.sqrt(sum[i]!) + c.eps);
          break;
        }
        case 'rmsprop': {
          const alpha = c.beta2;
          const sq = s.square_avg![k]!;
          sq[i] = alpha * sq[i]! + (1 - alpha) * g * g;
          let avg: number;
          if (c.centered) {
            const ga = s.grad_avg![k]!;
            ga[i] = alpha * ga[i]! + (1 - alpha) * g;
            avg = Math.sqrt(sq[i]! - ga[i]! * ga[i]!) + c.eps;
          } else {
            avg = Math.sqrt(sq[i]!) + c.eps;
          }
          if (c.momentum > 0) {
            const buf = s.momentum_buffer![k]!;
            buf[i] = c.momentum * buf[i]! + g / avg;
            p[i] = p[i]! - lr * buf[i]!;
          } else {
            p[i] = p[i]! - (lr * g) / avg;
          }
          break;
        }
        case 'adam':
        case 'adamw': {
          const m = s.exp_avg![k]!, v = s.exp_avg_sq![k]!;
          m[i] = c.beta1 * m[i]! + (1 - c.beta1) * g;
          v[i] = c.beta2 * v[i]! + (1 - c.beta2) * g * g;
          const stepSize = lr / (1 - c.beta1 ** t);
          const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - c.beta2 ** t) + c.eps;
          p[i] = p[i]! - (stepSize * m[i]!) / denom;
          break;
        }
      }
    }
  }
}
