import { STATS_HEADER, STATS_MAX_BINS, statsSlotBytes, tensorStatsKernel } from '../../kernels/tensor-stats.js';
import type { BufferRange, Runtime } from '../device.js';
import { BYTES_PER_ELEMENT } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import type { Sequential } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { empty, keep, type Tensor } from '../tensor.js';

/** Statistics of one tensor at one step. NaN/±Inf are counted in `nonFinite` and left out of the rest. */
export interface TensorStats {
  /** Finite values. */
  count: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  min: number;
  max: number;
  /** √Σv² (a gradient's or weight's L2 norm). */
  norm: number;
  /** Share of values exactly 0 (dead ReLUs). */
  zeroFraction: number;
  /** Share with |v| ≥ 0.99 (saturated tanh; with `nearZeroFraction`, saturated sigmoid). */
  saturatedFraction: number;
  /** Share with |v| ≤ 0.01 (activations collapsing to 0). */
  nearZeroFraction: number;
  nonFinite: number;
  /** Counts in equal bins over [min, max]. */
  histogram: number[];
}

export interface LayerStats extends TensorStats {
  /** Index of the layer in the Sequential, and a label such as '1 Linear+ReLU' (an activation fused into its layer). */
  index: number;
  label: string;
}

export interface ParameterStats {
  /** PyTorch name ('1.weight'). */
  name: string;
  grad: TensorStats;
  weight: TensorStats;
  /** The step's change of the parameter (after − before the optimizer step). */
  update: TensorStats;
  /** ‖Δw‖ / ‖w‖ (the lecture's rule of thumb: around 1e-3). */
  updateRatio: number;
}

export interface StepStatsReport {
  /** The replay (1-based count of steps run since the StepStats was made) whose statistics these are. */
  step: number;
  layers: LayerStats[];
  parameters: ParameterStats[];
}

export interface StepStatsOptions {
  /** Histogram bins, 1–64 (default 32). */
  bins?: number;
}

const OP = 'StepStats';

/** What `diagnoseLayer` can find wrong with a layer's activations. */
export type LayerProblem = 'non-finite' | 'collapsed' | 'saturated' | 'dead';

/** Thresholds of `diagnoseLayer` (defaults in DIAGNOSIS_THRESHOLDS). */
export interface DiagnosisThresholds {
  /** Collapsed: std below this (the lecture's deep tanh net with small weights: activations shrink to 0 layer by layer). */
  collapsedStd: number;
  /** Saturated: at least this share of a tanh/sigmoid layer at |v| ≥ 0.99 (or, for sigmoid, ≤ 0.01). */
  saturatedShare: number;
  /** Dead: at least this share of a ReLU layer's outputs exactly 0. */
  deadShare: number;
}

export const DIAGNOSIS_THRESHOLDS: Readonly<DiagnosisThresholds> = { collapsedStd: 1e-3, saturatedShare: 0.5, deadShare: 0.9 };

/**
 * The initialization diagnosis of lecture 002 on one layer's statistics: NaN/Inf present, activations
 * collapsed to (near) 0, a saturated tanh/sigmoid, or mostly dead ReLUs. The layer's activation is read from
 * its label ('1 Linear+Tanh', '2 ReLU'). Empty when nothing looks wrong.
 */
export function diagnoseLayer(layer: Pick<LayerStats, 'label' | 'std' | 'count' | 'nonFinite' | 'zeroFraction' | 'saturatedFraction' | 'nearZeroFraction'>, thresholds: Partial<DiagnosisThresholds> = {}): LayerProblem[] {
  const t = { ...DIAGNOSIS_THRESHOLDS, ...thresholds };
  const problems: LayerProblem[] = [];
  if (layer.nonFinite > 0) problems.push('non-finite');
  if (layer.count > 1 && layer.std < t.collapsedStd) problems.push('collapsed');
  const act = /(?:\+|\s)(\w+)$/.exec(layer.label)?.[1] ?? '';
  if (act === 'Tanh' && layer.saturatedFraction >= t.saturatedShare) problems.push('saturated');
  // A sigmoid's outputs lie in (0, 1): near 0 or at least 0.99 are its flat ends.
  if (act === 'Sigmoid' && layer.saturatedFraction + layer.nearZeroFraction >= t.saturatedShare) problems.push('saturated');
  if (act === 'ReLU' && layer.zeroFraction >= t.deadShare) problems.push('dead');
  return problems;
}

/**
 * Per-layer activation statistics and per-parameter gradient, weight and update statistics of a compiled
 * training step, computed on the GPU into one small buffer inside the step — only at the replays that
 * follow `request()` (the others skip the work with one uploaded flag) — and read back asynchronously.
 *
 *   const stats = new StepStats(model, optimizer);
 *   const step = compile((x, y) => {
 *     optimizer.zeroGrad();
 *     const loss = crossEntropy(stats.forward(x), y);
 *     loss.backward();
 *     stats.beforeUpdate();
 *     optimizer.step();
 *     stats.afterUpdate();
 *     return loss;
 *   });
 *   stats.request(); step(x, y).dispose(); const report = await stats.read();
 *
 * Layers are the Sequential's top-level modules (an activation fused into its layer reports with it).
 * Costs when not requested: one copy of the parameters per step (for the update) and near-empty dispatches.
 */
export class StepStats {
  readonly bins: number;
  private readonly rt: Runtime;
  private readonly slotBytes: number;
  private readonly buffer: GPUBuffer;
  private readonly control: GPUBuffer;
  private readonly previous: Tensor[];
  private readonly names: string[];
  private layerSlots = new Map<number, string>();
  private requested = false;
  private replays = 0;
  /** The replay whose statistics the buffer holds (0: none yet). */
  private captured = 0;
  private disposed = false;

  constructor(readonly model: Sequential, readonly optimizer: Optimizer, options: StepStatsOptions = {}) {
    const bins = options.bins ?? 32;
    if (!Number.isInteger(bins) || bins < 1 || bins > STATS_MAX_BINS) throw new ArgumentError(OP, `bins must be an integer from 1 to ${STATS_MAX_BINS}, got ${bins}`);
    if (!Array.isArray((model as Partial<Sequential>).layers)) throw new ArgumentError(OP, 'the model must be a Sequential (its layers are what the statistics describe)');
    this.bins = bins;
    this.rt = optimizer.rt;
    this.slotBytes = statsSlotBytes(bins);
    const named = model.namedParameters();
    const byTensor = new Map(named.map(([n, t]) => [t, n]));
    this.names = optimizer.params.map((p, i) => byTensor.get(p) ?? `param${i}`);
    // Slots: one per layer, then grad, weight and update of each parameter.
    this.buffer = this.rt.allocate(OP, (model.layers.length + 3 * optimizer.params.length) * this.slotBytes);
    this.control = this.rt.allocate(OP, 256);
    this.previous = optimizer.params.map((p) => keep(empty(p.shape, 'f32', OP, this.rt)));
  }

  /** The next replay of the step (just one) computes statistics. */
  request(): void {
    this.requested = true;
  }

  /** Runs the model's forward, recording each layer's output statistics (call inside the compiled step). */
  forward(x: Tensor): Tensor {
    this.checkAlive('forward');
    const flag = () => {
      this.replays++;
      const on = this.requested;
      this.requested = false;
      if (on) this.captured = this.replays;
      return Uint32Array.of(on ? 1 : 0);
    };
    this.rt.upload(OP, { buffer: this.control, offset: 0, size: 256 }, flag(), flag);
    this.model.onLayerOutput = (y, { index, module, fused }) => {
      this.layerSlots.set(index, fused ? `${index} ${module.constructor.name}+${fused.constructor.name}` : `${index} ${module.constructor.name}`);
      this.dispatch(y, null, index);
    };
    try {
      return this.model.forward(x);
    } finally {
      this.model.onLayerOutput = null;
    }
  }

  /** Keeps the parameters as they are before the update (call inside the step, right before optimizer.step()). */
  beforeUpdate(): void {
    this.checkAlive('beforeUpdate');
    this.optimizer.params.forEach((p, i) => {
      const src = p.buffer(OP), dst = this.previous[i]!.buffer(OP);
      this.rt.copy(OP, src.buffer, dst.buffer, p.size * BYTES_PER_ELEMENT, src.offset, dst.offset);
    });
  }

  /** Gradient, weight and update statistics of every parameter (call inside the step, right after optimizer.step()). */
  afterUpdate(): void {
    this.checkAlive('afterUpdate');
    const base = this.model.layers.length;
    this.optimizer.params.forEach((p, i) => {
      if (p.grad) this.dispatch(p.grad, null, base + 3 * i);
      this.dispatch(p, null, base + 3 * i + 1);
      this.dispatch(p, this.previous[i]!, base + 3 * i + 2);
    });
  }

  /**
   * The statistics of the last requested replay, read back without stalling the queue (the read waits for
   * that work only); null when no requested replay has run yet.
   */
  async read(): Promise<StepStatsReport | null> {
    this.checkAlive('read');
    if (this.captured === 0) return null;
    const step = this.captured;
    const bytes = (this.model.layers.length + 3 * this.optimizer.params.length) * this.slotBytes;
    const data = new Float32Array(await this.rt.read(OP, { buffer: this.buffer, offset: 0, size: bytes }, bytes));
    const slot = (k: number) => this.parse(data.subarray((k * this.slotBytes) / 4, (k * this.slotBytes) / 4 + STATS_HEADER + this.bins));
    const layers = [...this.layerSlots].sort((a, b) => a[0] - b[0]).map(([index, label]) => ({ index, label, ...slot(index) }));
    const base = this.model.layers.length;
    const parameters = this.names.map((name, i) => {
      const grad = slot(base + 3 * i), weight = slot(base + 3 * i + 1), update = slot(base + 3 * i + 2);
      return { name, grad, weight, update, updateRatio: weight.norm > 0 ? update.norm / weight.norm : NaN };
    });
    return { step, layers, parameters };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.rt.release(this.buffer);
    this.rt.release(this.control);
    for (const t of this.previous) t.dispose();
  }

  private parse(w: Float32Array): TensorStats {
    const count = w[0]!;
    const frac = (v: number) => (count > 0 ? v / count : NaN);
    return {
      count, mean: w[1]!, std: w[2]!, min: w[3]!, max: w[4]!, norm: Math.sqrt(w[7]!),
      zeroFraction: frac(w[5]!), saturatedFraction: frac(w[8]!), nearZeroFraction: frac(w[9]!), nonFinite: w[6]!,
      histogram: Array.from(w.subarray(STATS_HEADER, STATS_HEADER + this.bins)),
    };
  }

  private dispatch(x: Tensor, y: Tensor | null, slot: number): void {
    if (x.dtype !== 'f32') return;
    const out: BufferRange = { buffer: this.buffer, offset: slot * this.slotBytes, size: this.slotBytes };
    const xb = x.buffer(OP);
    this.rt.dispatch({
      op: OP, kernel: tensorStatsKernel, workgroups: 1,
      bindings: { x: xb, y: y ? y.buffer(OP) : xb, out, p: Uint32Array.of(x.size, this.bins), control: { buffer: this.control, offset: 0, size: 256 } },
      specialize: { DIFF: String(y !== null) },
    });
  }

  private checkAlive(op: string): void {
    if (this.disposed) throw new ArgumentError(`${OP}.${op}`, 'the StepStats was disposed');
  }
}
