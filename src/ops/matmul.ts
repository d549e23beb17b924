import type { DType } from '../dtype.js';
import { ArgumentError, DTypeError, formatShape, ShapeError } from '../errors.js';
import { broadcastShapes, broadcastStrides, sameShape, sizeOf } from '../shape.js';
import { empty, type Tensor } from '../tensor.js';
import {
  ACTIVATIONS, chooseTile, MATMUL_PARAM_WORDS, MATMUL_TILES, MAX_BATCH_DIMS, matmulKernel, matmulParams, matmulSpecialization, matmulWorkgroups, tileWorkgroupBytes,
  type Activation, type BatchSum, type MatmulTile, type MatmulVariant,
} from '../../kernels/matmul.js';

export type { Activation, MatmulTile };

export interface MatmulOptions {
  /** Read a as [..., K, M] (its last two dimensions transposed). */
  transposeA?: boolean;
  /** Read b as [..., N, K]: with a bias, Linear's x·Wᵀ + b. */
  transposeB?: boolean;
  /** Shape [N], added to every row of the product. */
  bias?: Tensor;
  /** Applied after the bias, in the same kernel. 'gelu' is the tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
  activation?: Activation;
  /** leakyRelu's slope for x < 0 (default 0.01, PyTorch's). */
  slope?: number;
  /** elu's α in α(eˣ − 1) for x < 0 (default 1). */
  alpha?: number;
  /**
   * Multiply the product by (gate > 0), `gate` having the output's shape: ReLU's backward fused into the
   * product that computes the gradient of a ReLU's output (gate = that output). No bias or activation with it.
   */
  gate?: Tensor;
  /**
   * Sum the products of every `sumBatch` consecutive entries of the leading batch dimension (B₀) into one:
   * the output's leading dimension is ⌈B₀ / sumBatch⌉. Split-K over a batch in one kernel (a convolution's
   * weight gradient over samples) without writing a product per entry. Default 1 (no sum).
   */
  sumBatch?: number;
}

/** What `planMatmul` needs of an operand (a Tensor, or a shape and dtype in tests and references). */
export interface MatmulOperand {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface MatmulPlanOptions extends Omit<MatmulOptions, 'bias' | 'gate'> {
  bias?: MatmulOperand;
  gate?: MatmulOperand;
}

export interface MatmulPlan {
  outShape: number[];
  M: number;
  N: number;
  K: number;
  /** Number of matrices in the output. */
  batch: number;
  /** How the (input) batch sums into output matrices (zsum = 1: one each). */
  sum: BatchSum;
  /** Batch dimensions as the kernel walks them, outermost first: [size, A stride, B stride] in elements. */
  dims: [number, number, number][];
  activation: Activation;
  /** The activation's parameter: leakyRelu's slope or elu's α (0 for the others). */
  param: number;
}

/** Validates a matmul (shapes, dtypes, options) and works out its dimensions; no GPU work. */
export function planMatmul(a: MatmulOperand, b: MatmulOperand, opts: MatmulPlanOptions = {}): MatmulPlan {
  const op = 'matmul';
  const ta = opts.transposeA ?? false, tb = opts.transposeB ?? false;
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new ShapeError(op, [a.shape, b.shape], 'both operands need at least 2 dimensions (reshape a vector to [1, n] or [n, 1])');
  }
  if (a.dtype !== 'f32' || b.dtype !== 'f32' || (opts.bias && opts.bias.dtype !== 'f32') || (opts.gate && opts.gate.dtype !== 'f32')) {
    throw new DTypeError(op, [a.dtype, b.dtype, ...(opts.bias ? [opts.bias.dtype] : []), ...(opts.gate ? [opts.gate.dtype] : [])], 'operands, bias and gate must be f32');
  }
  const ar = a.shape[a.shape.length - 2]!, ac = a.shape[a.shape.length - 1]!;
  const br = b.shape[b.shape.length - 2]!, bc = b.shape[b.shape.length - 1]!;
  const [M, K] = ta ? [ac, ar] : [ar, ac];
  const [Kb, N] = tb ? [bc, br] : [br, bc];
  if (K !== Kb) {
    const rule = `a[..., ${ta ? 'K, M' : 'M, K'}] · b[..., ${tb ? 'N, K' : 'K, N'}]`;
    throw new ShapeError(op, [a.shape, b.shape], `inner dimensions must match: ${rule}`);
  }
  const batched = a.shape.length > 2 || b.shape.length > 2;
  const aBatch = batched ? a.shape.slice(0, -2) : [], bBatch = batched ? b.shape.slice(0, -2) : [];
  let batchShape: number[] = [];
  if (batched) {
    try {
      batchShape = broadcastShapes(op, aBatch, bBatch);
    } catch {
      throw new ShapeError(op, [a.shape, b.shape], `batch dimensions ${formatShape(aBatch)} and ${formatShape(bBatch)} must broadcast (NumPy rule: right-aligned, each pair equal or one of them 1)`);
    }
  }
  if (opts.bias && (opts.bias.shape.length !== 1 || opts.bias.shape[0] !== N)) {
    throw new ShapeError(op, [a.shape, b.shape, opts.bias.shape], `bias must have shape [N] = [${N}]`);
  }
  const activation = opts.activation ?? 'none';
  if (!Object.hasOwn(ACTIVATIONS, activation)) {
    throw new ArgumentError(op, `unknown activation '${String(activation)}' (expected one of ${Object.keys(ACTIVATIONS).join(', ')})`);
  }
  const param = activationParam(activation, opts);
  const dims = batchShape.length ? collapseBatch(batchShape, broadcastStrides(aBatch, batchShape).map((s) => s * M * K), broadcastStrides(bBatch, batchShape).map((s) => s * K * N)) : [];
  if (dims.length > MAX_BATCH_DIMS) {
    throw new ArgumentError(op, `the batch dimensions of ${formatShape(a.shape)} and ${formatShape(b.shape)} switch between broadcast and not more than the kernel's ${MAX_BATCH_DIMS} dimensions allow; reshape them`);
  }
  const zsum = opts.sumBatch ?? 1;
  if (!(Number.isInteger(zsum) && zsum >= 1)) throw new ArgumentError(op, `sumBatch must be a positive integer, got ${zsum}`);
  if (zsum > 1 && !batchShape.length) throw new ShapeError(op, [a.shape, b.shape], `sumBatch ${zsum} needs a batch dimension to sum over`);
  const zlen = batchShape[0] ?? 1;
  const outBatch = zsum > 1 ? [Math.ceil(zlen / zsum), ...batchShape.slice(1)] : batchShape;
  const outShape = [...outBatch, M, N];
  if (opts.gate) {
    if (opts.bias || activation !== 'none') throw new ArgumentError(op, 'gate takes no bias and no activation (it is the gradient of a ReLU output)');
    if (!sameShape(opts.gate.shape, outShape)) {
      throw new ShapeError(op, [a.shape, b.shape, opts.gate.shape], `gate must have the output's shape ${formatShape(outShape)}`);
    }
  }
  const sum = { zsum, zlen, zrest: zlen ? sizeOf(batchShape) / zlen : 1 };
  return { outShape, M, N, K, batch: sizeOf(outBatch), sum, dims, activation, param };
}

/** leakyRelu's slope or elu's α, checked: each option belongs to its activation only. */
function activationParam(activation: Activation, opts: MatmulPlanOptions): number {
  if (opts.slope === undefined && opts.alpha === undefined) return activation === 'leakyRelu' ? 0.01 : activation === 'elu' ? 1 : 0;
  const check = (name: 'slope' | 'alpha', owner: Activation, fallback: number): number => {
    const v = opts[name];
    if (v === undefined) return activation === owner ? fallback : 0;
    if (activation !== owner) throw new ArgumentError('matmul', `${name} applies to activation '${owner}' only, got activation '${activation}'`);
    if (!Number.isFinite(v)) throw new ArgumentError('matmul', `${name} must be a finite number, got ${v}`);
    return v;
  };
  const slope = check('slope', 'leakyRelu', 0.01);
  const alpha = check('alpha', 'elu', 1);
  return activation === 'leakyRelu' ? slope : alpha;
}

/**
 * Drops size-1 dimensions and merges neighbours that step through both operands evenly (a[i] = a[i+1]·size[i+1],
 * likewise b), so the kernel walks as few dimensions as the broadcast pattern allows: one for an
 * ordinary batch however many dimensions it is written with.
 */
function collapseBatch(shape: readonly number[], sa: readonly number[], sb: readonly number[]): [number, number, number][] {
  const dims: [number, number, number][] = [];
  shape.forEach((size, i) => {
    if (size === 1) return;
    const last = dims[dims.length - 1];
    if (last && last[1] === sa[i]! * size && last[2] === sb[i]! * size) {
      last[0] *= size;
      last[1] = sa[i]!;
      last[2] = sb[i]!;
    } else {
      dims.push([size, sa[i]!, sb[i]!]);
    }
  });
  return dims;
}

/** The kernel variant for a plan: vec4 reads where the operand's contiguous dimension is a multiple of 4. */
export function matmulVariant(plan: MatmulPlan, opts: MatmulPlanOptions, tile: MatmulTile): MatmulVariant {
  const ta = opts.transposeA ?? false, tb = opts.transposeB ?? false;
  // With K = 0 the operands are empty and bound as one-float buffers, too small for a vec4 array.
  const vec = (contiguous: number) => plan.K > 0 && contiguous % 4 === 0;
  return {
    tile,
    transposeA: ta,
    transposeB: tb,
    vecA: vec(ta ? plan.M : plan.K),
    vecB: vec(tb ? plan.K : plan.N),
    activation: plan.activation,
    bias: opts.bias !== undefined,
    gate: opts.gate !== undefined,
  };
}

/**
 * Matrix product of the last two dimensions, batched over the others (NumPy broadcasting; a 2-D operand
 * is shared by every batch entry): out[..., M, N] = activation(op(a) · op(b) + bias), in one kernel.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  return matmulWithTile(a, b, opts);
}

/** Why a device cannot run a tile configuration (unknown, or more workgroup memory than it allows), or null. */
export function tileUnusable(tile: string, limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize'>): string | null {
  if (!Object.hasOwn(MATMUL_TILES, tile)) return `unknown tile '${tile}' (${Object.keys(MATMUL_TILES).join(', ')})`;
  const bytes = tileWorkgroupBytes(tile as MatmulTile), allowed = limits.maxComputeWorkgroupStorageSize;
  return bytes > allowed ? `tile '${tile}' needs ${bytes} bytes of workgroup memory; this device allows ${allowed}` : null;
}

/** dispatch() reads uniform words before returning and keeps none: one scratch array serves every matmul. */
const paramScratch = new Uint32Array(MATMUL_PARAM_WORDS);

/** @internal `matmul` with the tile configuration forced (tests reach every one at small sizes; benchmarks compare them). */
export function matmulWithTile(a: Tensor, b: Tensor, opts: MatmulOptions = {}, tile?: MatmulTile): Tensor {
  const op = 'matmul';
  const plan = planMatmul(a, b, opts);
  const rt = a.rt;
  if (b.rt !== rt || (opts.bias && opts.bias.rt !== rt) || (opts.gate && opts.gate.rt !== rt)) throw new ArgumentError(op, 'operands belong to different runtimes');
  const aBuf = a.buffer(op), bBuf = b.buffer(op);
  // The bias binding holds the bias or the gate; without either a's range fills it (two read-only uses of a
  // buffer may alias).
  const biasBuf = opts.bias ? opts.bias.buffer(op) : opts.gate ? opts.gate.buffer(op) : aBuf;
  const unusable = tile && tileUnusable(tile, rt.limits);
  if (unusable) throw new ArgumentError(op, unusable);
  const out = empty(plan.outShape, 'f32', op, rt);
  if (out.size === 0) return out;
  const variant = matmulVariant(plan, opts, tile ?? chooseTile(plan.batch, plan.M, plan.N));
  const workgroups = matmulWorkgroups(variant.tile, plan.batch, plan.M, plan.N);
  rt.dispatch({
    op,
    kernel: matmulKernel,
    bindings: { a: aBuf, b: bBuf, bias: biasBuf, out: out.buffer(op), p: matmulParams(plan.M, plan.N, plan.K, plan.dims, workgroups, plan.param, plan.sum, paramScratch) },
    workgroups,
    specialize: matmulSpecialization(variant),
  });
  return out;
}
