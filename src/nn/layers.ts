import { getRuntime, type Runtime } from '../device.js';
import { ArgumentError } from '../errors.js';
import * as F from '../grad/index.js';
import type { Activation } from '../ops/matmul.js';
import type { Pool2dOptions, Size2 } from '../ops/pool.js';
import { full, ones, zeros } from '../ops/creation.js';
import { keep, type Tensor } from '../tensor.js';
import { DROPOUT_RNG_WORDS, dropoutRngWords } from '../../kernels/dropout.js';
import { initBias, initWeight, type InitScheme } from './init.js';
import { Identity, Module, type FusionTarget } from './module.js';

export interface LayerInit {
  /** Weight initialisation (default 'pytorch': PyTorch's own defaults). */
  init?: InitScheme;
  runtime?: Runtime;
}

/** The matmul-epilogue activation for a module, if it is one (null when it cannot be fused). */
function epilogueOf(m: Module): { activation: Activation; slope?: number } | null {
  if (m instanceof Identity) return { activation: 'none' };
  if (m instanceof ReLU) return { activation: 'relu' };
  if (m instanceof Sigmoid) return { activation: 'sigmoid' };
  if (m instanceof Tanh) return { activation: 'tanh' };
  if (m instanceof LeakyReLU) return { activation: 'leakyRelu', slope: m.slope };
  return null;
}

/** y = x·Wᵀ + b with W [out, in] (PyTorch's Linear); bias and an activation run in the matmul's epilogue. */
export class Linear extends Module implements FusionTarget {
  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }

  readonly weight: Tensor;
  readonly bias: Tensor | null;
  activation: Activation = 'none';
  slope?: number;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LayerInit & { bias?: boolean } = {}) {
    super();
    for (const [n, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ArgumentError('Linear', `${n} must be a positive integer, got ${v}`);
    }
    const rt = opts.runtime ?? getRuntime();
    const scheme = opts.init ?? 'pytorch';
    this.weight = this.registerParameter('weight', initWeight([outFeatures, inFeatures], inFeatures, outFeatures, scheme, rt));
    this.bias = opts.bias === false ? null : this.registerParameter('bias', initBias(outFeatures, inFeatures, scheme, rt));
  }

  tryFuse(next: Module): boolean {
    const e = epilogueOf(next);
    if (!e) return false;
    this.activation = e.activation;
    this.slope = e.slope;
    return true;
  }

  forward(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ArgumentError('Linear', `expected input [..., ${this.inFeatures}], got [${x.shape.join(', ')}]`);
    }
    return F.matmul(x, this.weight, { transposeB: true, bias: this.bias ?? undefined, activation: this.activation, slope: this.slope });
  }
}

export interface Conv2dLayerOptions extends LayerInit {
  stride?: Size2;
  padding?: Size2;
  dilation?: Size2;
  groups?: number;
  bias?: boolean;
}

/** 2-D convolution, NCHW, weight [out, in/groups, kH, kW] (PyTorch's Conv2d). */
export class Conv2d extends Module implements FusionTarget {
  extraRepr(): string {
    const [, , kh, kw] = this.weight.shape;
    const o = this.opts, parts = [`${this.inChannels}, ${this.outChannels}, kernel_size=${pyPair([kh!, kw!])}`, `stride=${pyPair(o.stride ?? 1)}`];
    if (o.padding !== undefined && pyPair(o.padding) !== '(0, 0)') parts.push(`padding=${pyPair(o.padding)}`);
    if (o.dilation !== undefined && pyPair(o.dilation) !== '(1, 1)') parts.push(`dilation=${pyPair(o.dilation)}`);
    if ((o.groups ?? 1) !== 1) parts.push(`groups=${o.groups}`);
    if (!this.bias) parts.push('bias=False');
    return parts.join(', ');
  }

  readonly weight: Tensor;
  readonly bias: Tensor | null;
  activation: Activation = 'none';
  slope?: number;
  readonly opts: Conv2dLayerOptions;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Size2, opts: Conv2dLayerOptions = {}) {
    super();
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    const groups = opts.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1 || inChannels % groups || outChannels % groups) {
      throw new ArgumentError('Conv2d', `groups (${groups}) must divide inChannels (${inChannels}) and outChannels (${outChannels})`);
    }
    const rt = opts.runtime ?? getRuntime();
    const scheme = opts.init ?? 'pytorch';
    const fanIn = (inChannels / groups) * kh * kw, fanOut = (outChannels / groups) * kh * kw;
    this.weight = this.registerParameter('weight', initWeight([outChannels, inChannels / groups, kh, kw], fanIn, fanOut, scheme, rt));
    this.bias = opts.bias === false ? null : this.registerParameter('bias', initBias(outChannels, fanIn, scheme, rt));
    this.opts = opts;
  }

  tryFuse(next: Module): boolean {
    const e = epilogueOf(next);
    if (!e) return false;
    this.activation = e.activation;
    this.slope = e.slope;
    return true;
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this.opts;
    return F.conv2d(x, this.weight, { bias: this.bias ?? undefined, stride, padding, dilation, groups, activation: this.activation, slope: this.slope });
  }
}

export class MaxPool2d extends Module {
  extraRepr(): string {
    return poolRepr(this.opts, true);
  }

  constructor(readonly opts: Pool2dOptions) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.opts);
  }
}

export class AvgPool2d extends Module {
  extraRepr(): string {
    return poolRepr(this.opts, false);
  }

  constructor(readonly opts: Pool2dOptions & { countIncludePad?: boolean }) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.opts);
  }
}

/** Mean over H and W, giving [N, C] (flattened, ready for a Linear head). */
export class GlobalAvgPool2d extends Module {
  forward(x: Tensor): Tensor {
    return F.globalAvgPool2d(x, false);
  }
}

/** Flattens all but the batch dimension, as a view (no copy). */
export class Flatten extends Module {
  extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=-1`;
  }

  constructor(readonly startDim = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.flatten(x, this.startDim);
  }
}

/**
 * Batch normalisation over channel axis 1 (BatchNorm1d: [N, C] or [N, C, L]; BatchNorm2d: [N, C, H, W]).
 * Training uses batch statistics and updates running_mean/var (momentum 0.1, unbiased var); eval uses
 * the running statistics. A following ReLU is fused (see Sequential).
 */
class BatchNorm extends Module implements FusionTarget {
  extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.opts.eps ?? 1e-5)}, momentum=${pyFloat(this.opts.momentum ?? 0.1)}, affine=${pyBool(this.weight !== null)}, track_running_stats=True`;
  }

  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: Tensor;
  relu = false;
  private batches = 0;

  constructor(private readonly op: string, private readonly ranks: readonly number[], readonly numFeatures: number, readonly opts: { eps?: number; momentum?: number; affine?: boolean; runtime?: Runtime } = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new ArgumentError(op, `numFeatures must be a positive integer, got ${numFeatures}`);
    const rt = opts.runtime ?? getRuntime();
    const affine = opts.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', ones([numFeatures], 'f32', rt)) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([numFeatures], 'f32', rt)) : null;
    this.runningMean = this.registerBuffer('running_mean', zeros([numFeatures], 'f32', rt));
    this.runningVar = this.registerBuffer('running_var', ones([numFeatures], 'f32', rt));
    // PyTorch keeps it as int64; here i32 (safetensors export widens it).
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', full([], 0, 'i32', rt));
  }

  tryFuse(next: Module): boolean {
    if (next instanceof Identity) this.relu = false;
    else if (next instanceof ReLU) this.relu = true;
    else return false;
    return true;
  }

  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.rank) || x.shape[1] !== this.numFeatures) {
      throw new ArgumentError(this.op, `expected input of rank ${this.ranks.join(' or ')} with ${this.numFeatures} channels on axis 1, got [${x.shape.join(', ')}]`);
    }
    if (this.training) {
      // A per-replay upload keeps the count right inside compiled steps too.
      const next = () => Int32Array.of(++this.batches);
      this.rt.upload(this.op, this.numBatchesTracked.buffer(this.op), Int32Array.of(this.batches + 1), next);
      this.batches++;
    }
    return F.batchNorm(x, this.weight, this.bias, this.runningMean, this.runningVar, {
      training: this.training, momentum: this.opts.momentum, eps: this.opts.eps, relu: this.relu,
    });
  }

  private get rt(): Runtime {
    return this.runningMean.rt;
  }
}

export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, opts: { eps?: number; momentum?: number; affine?: boolean; runtime?: Runtime } = {}) {
    super('BatchNorm1d', [2, 3], numFeatures, opts);
  }
}

export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, opts: { eps?: number; momentum?: number; affine?: boolean; runtime?: Runtime } = {}) {
    super('BatchNorm2d', [4], numFeatures, opts);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** PyTorch's default slope 0.01 (the lecture's max(0.1x, x) is `new LeakyReLU(0.1)`). */
export class LeakyReLU extends Module {
  extraRepr(): string {
    return `negative_slope=${pyFloat(this.slope)}`;
  }

  constructor(readonly slope = 0.01) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.slope);
  }
}

export class ELU extends Module {
  extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }

  constructor(readonly alpha = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }
}

export class GELU extends Module {
  extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }

  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
}

/** Softmax over the last axis. */
export class Softmax extends Module {
  extraRepr(): string {
    return 'dim=-1';
  }

  forward(x: Tensor): Tensor {
    return F.softmax(x);
  }
}

export class LogSoftmax extends Module {
  extraRepr(): string {
    return 'dim=-1';
  }

  forward(x: Tensor): Tensor {
    return F.logSoftmax(x);
  }
}

/** Maxout with k pieces over the last axis: [..., k·m] → [..., m] (pair it with a Linear of k·m outputs). */
export class Maxout extends Module {
  extraRepr(): string {
    return `pieces=${this.pieces}`;
  }

  constructor(readonly pieces: number) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.maxout(x, this.pieces);
  }
}

/** Python's repr of a float (1.0, 0.1, 1e-05), as PyTorch's module reprs print them. */
function pyFloat(x: number): string {
  if (Number.isInteger(x)) return `${x}.0`;
  if (Math.abs(x) < 1e-4) return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(x);
}

const pyBool = (b: boolean) => (b ? 'True' : 'False');
const pyPair = (v: Size2) => (typeof v === 'number' ? `(${v}, ${v})` : `(${v[0]}, ${v[1]})`);
const pyInt = (v: Size2) => (typeof v === 'number' ? String(v) : `(${v[0]}, ${v[1]})`);

/** PyTorch's pooling reprs: AvgPool2d prints kernel, stride and padding; MaxPool2d also dilation and ceil_mode. */
function poolRepr(o: Pool2dOptions, max: boolean): string {
  const base = `kernel_size=${pyInt(o.kernelSize)}, stride=${pyInt(o.stride ?? o.kernelSize)}, padding=${pyInt(o.padding ?? 0)}`;
  return max ? `${base}, dilation=1, ceil_mode=False` : base;
}

function checkDropoutP(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError('Dropout', `p must be in [0, 1], got ${p}`);
  return p;
}

/**
 * Inverted dropout (PyTorch's p = drop probability; the lecture's keep probability is 1 − p). Each training
 * forward draws a new mask from (seed, step); eval is the identity.
 */
export class Dropout extends Module {
  extraRepr(): string {
    return `p=${pyFloat(this.prob)}, inplace=False`;
  }

  private step = 0;
  readonly seed: number;
  private rng: Tensor | null = null;
  private prob: number;

  constructor(p = 0.5, opts: { seed?: number } = {}) {
    super();
    this.prob = checkDropoutP(p);
    this.seed = opts.seed ?? 0;
  }

  /**
   * The drop probability. It may change at any time, also between replays of a compiled step that traced
   * this layer with p > 0 (p reaches the GPU with the per-call upload); a step traced at p = 0 ran no
   * dropout kernel, so raising p from 0 needs a new trace.
   */
  get p(): number {
    return this.prob;
  }

  set p(v: number) {
    this.prob = checkDropoutP(v);
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    // Step and p live in a small GPU buffer rewritten by an upload each call; inside a compiled step the
    // upload's producer runs at every replay, so each replay draws a fresh mask with the current p.
    this.rng ??= keep(zeros([DROPOUT_RNG_WORDS], 'u32', x.rt));
    const words = () => dropoutRngWords(this.seed, this.step++, this.prob);
    x.rt.upload('Dropout', this.rng.buffer('Dropout'), words(), words);
    return F.dropout(x, { p: this.p, seed: this.seed, step: this.step - 1, rng: this.rng });
  }

  dispose(): void {
    this.rng?.dispose();
    super.dispose();
  }
}
