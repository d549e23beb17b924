// The optimizer race on the GPU: one parameter tensor [x, y] per optimizer, each updated by the library's fused
// optimizer kernel with the gradient from autodiff, and every optimizer advanced in ONE compiled step (one
// queue.submit) per call. Gradient noise is data drawn inside that step: a RandomStream (Philox keyed by the seed,
// stream = step), the same vector for every racer so the race stays fair; f + n·w has gradient ∇f + n.
import {
  add, ArgumentError, compile, matmul, mul, noGrad, Optimizer, RandomStream, reshape, sum, tensor, keep,
  type CompiledStep, type OptimConfig, type Runtime, type Tensor,
} from '../../src/index.js';
import type { Expr } from './expression.js';
import { buildTensor } from './expression-ops.js';

export interface RaceOptions {
  surface: Expr;
  start: readonly [number, number];
  /** Each racer's optimizer configuration (src/optim/config.ts). */
  racers: readonly { name: string; config: OptimConfig }[];
  /** Standard deviation of the Gaussian noise added to each gradient component; 0: exact gradients. */
  noise: number;
  /** Key of the noise generator: the same seed gives the same noise, step by step. */
  seed: number;
  rt: Runtime;
}

export class Race {
  readonly params: Tensor[];
  readonly optimizers: Optimizer[];
  private readonly step: CompiledStep<Tensor>;
  /** Scatter matrices: position i goes to columns 2i, 2i+1 of the output row. */
  private readonly scatter: Tensor[];
  private readonly ex: Tensor;
  private readonly ey: Tensor;
  /** Null without noise (the step then has no noise term at all). */
  private readonly noise: RandomStream | null;
  private steps = 0;

  constructor(readonly options: RaceOptions) {
    const { rt, racers, start } = options;
    const k = racers.length;
    if (k === 0) throw new ArgumentError('Race', 'needs at least one optimizer');
    if (!start.every(Number.isFinite)) throw new ArgumentError('Race', `the start point must be finite, got (${start.join(', ')})`);
    if (!(options.noise >= 0 && Number.isFinite(options.noise))) throw new ArgumentError('Race', `noise must be a finite σ ≥ 0, got ${options.noise}`);
    if (!Number.isSafeInteger(options.seed) || options.seed < 0 || options.seed >= 2 ** 31) throw new ArgumentError('Race', `seed must be an integer in [0, 2³¹), got ${options.seed}`);
    this.params = racers.map(() => keep(tensor(Float32Array.from(start), [2], 'f32', rt)).requireGrad());
    this.optimizers = racers.map((r, i) => new Optimizer(r.name, [this.params[i]!], r.config));
    this.ex = keep(tensor([1, 0], [2], 'f32', rt));
    this.ey = keep(tensor([0, 1], [2], 'f32', rt));
    this.noise = options.noise > 0 ? new RandomStream([2], { seed: options.seed, std: options.noise }, rt) : null;
    this.scatter = racers.map((_, i) => {
      const m = new Float32Array(2 * 2 * k);
      m[2 * i] = 1;
      m[2 * k + 2 * i + 1] = 1;
      return keep(tensor(m, [2, 2 * k], 'f32', rt));
    });
    this.step = compile(() => this.trace(), { name: 'optimizer race', runtime: rt });
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * Advances every optimizer by one step. Returns [1, 2k]: each racer's (x, y) before this step (the path's
   * next point), a fresh tensor the caller reads and disposes.
   */
  advance(): Tensor {
    const out = this.step();
    this.steps++;
    return out;
  }

  dispose(): void {
    this.step.dispose();
    for (const o of this.optimizers) o.dispose();
    for (const o of this.optimizers) o.arena.dispose();
    this.noise?.dispose();
    for (const t of [...this.params, ...this.scatter, this.ex, this.ey]) t.dispose();
  }

  private trace(): Tensor {
    for (const o of this.optimizers) o.zeroGrad();
    const positions = noGrad(() => {
      let row: Tensor | null = null;
      this.params.forEach((p, i) => {
        const part = matmul(reshape(p, [1, 2]), this.scatter[i]!);
        row = row ? add(row, part) : part;
      });
      return row!;
    });
    const noise = this.noise?.next() ?? null;
    let total: Tensor | null = null;
    for (const p of this.params) {
      const x = sum(mul(p, this.ex)), y = sum(mul(p, this.ey));
      const f = buildTensor(this.options.surface, x, y) as Tensor;
      const loss = noise ? add(f, sum(mul(p, noise))) : f;
      total = total ? add(total, loss) : loss;
    }
    total!.backward();
    for (const o of this.optimizers) o.step();
    return positions;
  }
}
