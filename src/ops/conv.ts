import type { Runtime } from '../device.js';
import { flagSpecs } from '../kernel.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { sameShape } from '../shape.js';
import { empty, type Tensor } from '../tensor.js';
import { zeros } from './creation.js';
import { matmul, planMatmul, type Activation, type MatmulOperand, type MatmulOptions } from './matmul.js';
import { sum } from './reduce.js';
import { col2imKernel, col2imLaunch } from '../../kernels/col2im.js';
import { chooseTile, matmulWorkgroups } from '../../kernels/matmul.js';
import { im2colKernel, im2colLaunch, type ConvGeometry } from '../../kernels/im2col.js';

export type { ConvGeometry };

/** One value for both spatial dimensions, or [h, w]. */
export type Pair2 = number | readonly [number, number];

export interface Conv2dGeometryOptions {
  stride?: Pair2;
  /** Zeros added on each side (PyTorch's symmetric padding). */
  padding?: Pair2;
  dilation?: Pair2;
  /** Channel groups: 1 (default), C_in for depthwise, or any common divisor of C_in and C_out. */
  groups?: number;
  /**
   * Bytes one column matrix may take (default 256 MiB or the device's maxStorageBufferBindingSize, whichever
   * is smaller). Larger batches are processed in chunks of samples.
   */
  maxIm2colBytes?: number;
}

/** The matmul epilogue's options: activation and its parameter (see `matmul`). */
export type ConvEpilogue = Pick<MatmulOptions, 'activation' | 'slope' | 'alpha'>;

export interface Conv2dOptions extends Conv2dGeometryOptions, ConvEpilogue {
  /** Shape [C_out]. */
  bias?: Tensor;
}

export interface Conv2dBackwardOptions extends Conv2dGeometryOptions {
  /** Which gradients to compute (all by default): the first layer skips dx, a layer without bias db. */
  needs?: { dx?: boolean; dw?: boolean; db?: boolean };
  /** Samples summed into each partial weight gradient (default: `dwSamplesPerPartial`'s choice; at most a chunk's). */
  dwSamplesPerPartial?: number;
  /**
   * Sum the bias gradient as for this many output channels (a stack of trials' convolutions passes one
   * trial's, so each trial's bias gradient rounds as it would alone). Default: all of them.
   */
  dbPlanChannels?: number;
}

export interface Conv2dGrads {
  dx: Tensor | null;
  dw: Tensor | null;
  db: Tensor | null;
}

const DEFAULT_MAX_IM2COL_BYTES = 256 * 2 ** 20;
/** Memory for conv2dBackward's weight-gradient partials (one per group of samples). */
const DW_PARTIALS_BYTES = 64 * 2 ** 20;
/**
 * Workgroups the weight-gradient product aims for: a few per SM of a large GPU (WebGPU does not tell the SM
 * count). Its output is only C_out × taps, so it is split over groups of samples until it has this many.
 */
const DW_TARGET_WORKGROUPS = 512;

/**
 * Samples summed into each of dw's partial products: as many as still leave the product about
 * DW_TARGET_WORKGROUPS workgroups. More samples per partial means a deeper K per workgroup and fewer
 * partials to write and reduce; fewer means more workgroups in flight.
 */
export function dwSamplesPerPartial(batch: number, groups: number, cog: number, taps: number, weightSize: number): number {
  const tiles = matmulWorkgroups(chooseTile(batch * groups, cog, taps), groups, cog, taps);
  const maxPartials = Math.max(1, Math.floor(DW_PARTIALS_BYTES / (weightSize * 4)));
  const partials = Math.max(1, Math.min(batch, maxPartials, Math.ceil(DW_TARGET_WORKGROUPS / tiles)));
  return Math.ceil(batch / partials);
}

function pair(op: string, name: string, value: Pair2 | undefined, fallback: number, min: number): [number, number] {
  const p = value === undefined ? [fallback, fallback] : typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(p) || p.length !== 2 || p.some((d) => !Number.isInteger(d) || d < min)) {
    throw new ArgumentError(op, `${name} must be an integer ≥ ${min} or a pair [h, w] of them, got ${JSON.stringify(value)}`);
  }
  return [p[0]!, p[1]!];
}

/**
 * Validates a convolution's shapes and options and works out its geometry; no GPU work. x is
 * [N, C_in, H, W], w [C_out, C_in/groups, kH, kW]; the output is [N, C_out, H_out, W_out] with PyTorch's
 * H_out = floor((H + 2·padding − dilation·(kH − 1) − 1)/stride) + 1.
 */
export function planConv2d(op: string, x: MatmulOperand, w: MatmulOperand, opts: Conv2dGeometryOptions & { bias?: MatmulOperand } = {}): ConvGeometry {
  if (x.shape.length !== 4 || w.shape.length !== 4) {
    throw new ShapeError(op, [x.shape, w.shape], 'x must be 4-D [N, C_in, H, W] and w 4-D [C_out, C_in/groups, kH, kW]');
  }
  const dtypes = [x.dtype, w.dtype, ...(opts.bias ? [opts.bias.dtype] : [])];
  if (dtypes.some((d) => d !== 'f32')) throw new DTypeError(op, dtypes, 'input, weights and bias must be f32');
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const [outChannels, groupChannels, kh, kw] = w.shape as [number, number, number, number];
  if ([channels, height, width, outChannels, groupChannels, kh, kw].some((d) => d === 0)) {
    throw new ShapeError(op, [x.shape, w.shape], 'channels, image and kernel sizes must be non-zero (only the batch may be empty)');
  }
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ArgumentError(op, `groups must be a positive integer, got ${groups}`);
  if (channels % groups !== 0 || outChannels % groups !== 0) {
    throw new ShapeError(op, [x.shape, w.shape], `groups (${groups}) must divide both C_in (${channels}) and C_out (${outChannels})`);
  }
  if (groupChannels * groups !== channels) {
    throw new ShapeError(op, [x.shape, w.shape], `w's C_in/groups (${groupChannels}) × groups (${groups}) must equal x's channels (${channels})`);
  }
  const stride = pair(op, 'stride', opts.stride, 1, 1);
  const padding = pair(op, 'padding', opts.padding, 0, 0);
  const dilation = pair(op, 'dilation', opts.dilation, 1, 1);
  const outSize = (size: number, k: number, d: 0 | 1) => Math.floor((size + 2 * padding[d] - dilation[d] * (k - 1) - 1) / stride[d]) + 1;
  const outHeight = outSize(height, kh, 0), outWidth = outSize(width, kw, 1);
  if (outHeight < 1 || outWidth < 1) {
    throw new ShapeError(op, [x.shape, w.shape], `the output would be ${outHeight}×${outWidth} with padding [${padding}], dilation [${dilation}], stride [${stride}]: `
      + 'each image side plus twice its padding must be at least dilation·(kernel − 1) + 1');
  }
  if (opts.bias && !sameShape(opts.bias.shape, [outChannels])) {
    throw new ShapeError(op, [x.shape, w.shape, opts.bias.shape], `bias must have shape [C_out] = [${outChannels}]`);
  }
  if (opts.maxIm2colBytes !== undefined && !(opts.maxIm2colBytes > 0)) {
    throw new ArgumentError(op, `maxIm2colBytes must be a positive number, got ${opts.maxIm2colBytes}`);
  }
  return {
    batch, channels, height, width, outChannels, kh, kw, groups, stride, padding, dilation, outHeight, outWidth,
    taps: groupChannels * kh * kw,
  };
}

/** `planConv2d` for the backward pass, which also checks dy against the output shape. */
export function planConv2dBackward(dy: MatmulOperand, x: MatmulOperand, w: MatmulOperand, opts: Conv2dBackwardOptions = {}): ConvGeometry {
  const op = 'conv2dBackward';
  const g = planConv2d(op, x, w, opts);
  const s = opts.dwSamplesPerPartial;
  if (s !== undefined && !(Number.isInteger(s) && s >= 1)) throw new ArgumentError(op, `dwSamplesPerPartial must be a positive integer, got ${s}`);
  const outShape = [g.batch, g.outChannels, g.outHeight, g.outWidth];
  if (!sameShape(dy.shape, outShape)) {
    throw new ShapeError(op, [dy.shape, x.shape, w.shape], `dy must have the convolution's output shape [N, C_out, H_out, W_out] = [${outShape.join(', ')}]`);
  }
  if (dy.dtype !== 'f32') throw new DTypeError(op, [dy.dtype], 'dy must be f32');
  return g;
}

/**
 * The epilogue's activation and parameter (leakyRelu's slope or elu's α), validated and defaulted by
 * matmul's own rules but reported under this op's name.
 */
export function convEpilogue(op: string, opts: ConvEpilogue): { epilogue: ConvEpilogue; activation: Activation; param: number } {
  const one = { shape: [1, 1], dtype: 'f32' } as const;
  const epilogue = { activation: opts.activation, slope: opts.slope, alpha: opts.alpha };
  try {
    const plan = planMatmul(one, one, epilogue);
    return { epilogue, activation: plan.activation, param: plan.param };
  } catch (e) {
    if (e instanceof ArgumentError) throw new ArgumentError(op, e.message.replace(/^matmul: /, ''));
    throw e;
  }
}

/** Samples per chunk so that a column matrix of `groupRows` rows per group stays within the budget. */
function samplesPerChunk(op: string, rt: Runtime, g: ConvGeometry, groupRows: number, maxBytes: number | undefined): number {
  const limit = rt.limits.maxStorageBufferBindingSize;
  const perSample = g.groups * groupRows * g.outHeight * g.outWidth * 4;
  if (perSample > limit) {
    throw new ArgumentError(op, `one sample's column matrix takes ${perSample} bytes, over this device's maxStorageBufferBindingSize (${limit})`);
  }
  const budget = Math.min(maxBytes ?? DEFAULT_MAX_IM2COL_BYTES, limit);
  return Math.max(1, Math.min(g.batch, Math.floor(budget / perSample)));
}

function sameRuntime(op: string, tensors: readonly (Tensor | undefined)[]): void {
  const rt = tensors[0]!.rt;
  for (const t of tensors) {
    t?.buffer(op);
    if (t && t.rt !== rt) throw new ArgumentError(op, 'tensors belong to different runtimes');
  }
}

/** A 1×1 kernel with stride 1 and no padding: the column matrix of a sample is the sample itself. */
function isPointwise(g: ConvGeometry): boolean {
  return g.kh === 1 && g.kw === 1 && g.stride.every((s) => s === 1) && g.padding.every((p) => p === 0);
}

const hasBiasSpec = flagSpecs('HAS_BIAS');

/** Encodes one im2col dispatch (which also packs `wb` = [w | bias] when `launch` says so). */
function im2col(op: string, x: Tensor, w: Tensor, bias: Tensor | undefined, cols: Tensor, wb: Tensor, launch: { params: Uint32Array; workgroups: number }): void {
  x.rt.dispatch({
    op, kernel: im2colKernel, workgroups: launch.workgroups, specialize: hasBiasSpec(bias !== undefined),
    // Without a bias, w fills the unused bias binding (read-only bindings may alias).
    bindings: { x: x.buffer(op), w: w.buffer(op), bias: (bias ?? w).buffer(op), cols: cols.buffer(op), wb: wb.buffer(op), p: launch.params },
  });
}

/** A fresh tensor holding samples [n0, n0 + samples) of an [N, …] tensor (a copy: bindings must start 256-byte aligned). */
function sliceSamples(op: string, t: Tensor, n0: number, samples: number): Tensor {
  const per = t.size / t.shape[0]!;
  const out = empty([samples, ...t.shape.slice(1)], 'f32', op, t.rt);
  const src = t.buffer(op), dst = out.buffer(op);
  t.rt.copy(op, src.buffer, dst.buffer, samples * per * 4, src.offset + n0 * per * 4, dst.offset);
  return out;
}

/**
 * 2-D convolution of NCHW input x with weights w [C_out, C_in/groups, kH, kW] (PyTorch's conv2d, i.e.
 * cross-correlation), plus bias and activation: im2col, then one matmul batched over samples and groups,
 * out[n, g] = [W_g | b_g] · [cols[n, g]; 1], which writes NCHW directly with the bias and activation in
 * its epilogue: two dispatches. The alternative, cols[N·HW, K] · Wᵀ with matmul's per-column bias, writes
 * NHWC and needs a third dispatch (a transpose of the whole output) that reads and writes it once more;
 * here the extra cost is one ones-row in the column matrix and the bias column in the weights (built by
 * the im2col dispatch itself). Batches whose column matrix would pass `maxIm2colBytes` run in chunks of
 * samples; every output's sum is the same either way, so chunking does not change a bit of the result.
 * A pointwise convolution (1×1, stride 1, no padding) without bias skips im2col: one dispatch.
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  const g = planConv2d(op, x, w, opts);
  const { epilogue } = convEpilogue(op, opts);
  sameRuntime(op, [x, w, opts.bias]);
  const rt = x.rt;
  const { bias } = opts;
  const outShape = [g.batch, g.outChannels, g.outHeight, g.outWidth];
  if (g.batch === 0) return empty(outShape, 'f32', op, rt);
  const hw = g.outHeight * g.outWidth, cog = g.outChannels / g.groups;
  if (!bias && isPointwise(g)) {
    // x is its own column matrix: one dispatch, and no column matrix to chunk.
    const xv = x.reshape([g.batch, g.groups, g.taps, hw]), wv = w.reshape([g.groups, cog, g.taps]);
    const y = matmul(wv, xv, epilogue);
    xv.dispose();
    wv.dispose();
    const result = y.reshape(outShape);
    y.dispose();
    return result;
  }
  const groupRows = g.taps + (bias ? 1 : 0);
  const chunk = samplesPerChunk(op, rt, g, groupRows, opts.maxIm2colBytes);
  // Without a bias nothing is packed, but the binding still needs a buffer of its own (WebGPU forbids
  // aliasing a writable binding).
  const wb = empty(bias ? [g.outChannels, groupRows] : [1], 'f32', op, rt);
  const weights = (bias ? wb : w).reshape([g.groups, cog, groupRows]);
  const out = chunk < g.batch ? empty(outShape, 'f32', op, rt) : null;
  let y: Tensor | null = null;
  for (let n0 = 0; n0 < g.batch; n0 += chunk) {
    const samples = Math.min(chunk, g.batch - n0);
    const cols = empty([samples, g.groups, groupRows, hw], 'f32', op, rt);
    im2col(op, x, w, bias, cols, wb, im2colLaunch(g, { n0, samples, biasRow: !!bias, samplesOuter: true, pack: n0 === 0 && bias ? wb.size : 0 }));
    y = matmul(weights, cols, epilogue);
    cols.dispose();
    if (out) {
      const src = y.buffer(op), dst = out.buffer(op);
      rt.copy(op, src.buffer, dst.buffer, y.size * 4, src.offset, dst.offset + n0 * g.outChannels * hw * 4);
      y.dispose();
    }
  }
  weights.dispose();
  wb.dispose();
  if (out) return out;
  const result = y!.reshape(outShape);
  y!.dispose();
  return result;
}

/**
 * Gradients of `conv2d` (without its activation: dy is the gradient of the convolution plus bias) with
 * respect to x, w and the bias, for the same geometry options. Per chunk of samples:
 * - dx: dcols[n, g] = W_gᵀ · dy[n, g] (one matmul batched over samples and groups), then col2im gathers
 *   each input element's windows (no atomics);
 * - dw: split-K over samples: one matmul batched over groups that sums S samples' products in each
 *   workgroup, dw[p, g] = Σ_{n in group p} dy[n, g] · cols[n, g]ᵀ ([C_out/G, HW] · [HW, taps]), then one
 *   reduction over the partials p (none when one is enough). A single product with K = N·HW would leave all
 *   but a handful of workgroups idle (its output is only C_out/G × taps) and run K serially in each; one
 *   product per sample would write and re-read N copies of dw with a K of only HW (64 at 8×8). S
 *   (`dwSamplesPerPartial`) sits between: enough partials to keep the GPU busy, each as deep as that
 *   allows. Per sample, dy needs no permute. The column matrix is rebuilt here rather than kept from the
 *   forward pass: building it costs one read of x, keeping it would hold K/C_in times x's memory (9× for
 *   3×3) per layer from forward to backward;
 * - db: one reduction of dy over N, H, W (not chunked).
 * dx and db do not depend on the chunking, bit for bit; dw's partials round differently from one product
 * over the whole batch.
 */
export function conv2dBackward(dy: Tensor, x: Tensor, w: Tensor, opts: Conv2dBackwardOptions = {}): Conv2dGrads {
  const op = 'conv2dBackward';
  const g = planConv2dBackward(dy, x, w, opts);
  sameRuntime(op, [dy, x, w]);
  const rt = x.rt;
  const needs = { dx: opts.needs?.dx ?? true, dw: opts.needs?.dw ?? true, db: opts.needs?.db ?? true };
  const hw = g.outHeight * g.outWidth, cog = g.outChannels / g.groups;
  let chunk = samplesPerChunk(op, rt, g, g.taps, opts.maxIm2colBytes);
  // Samples per dw partial; chunks hold whole groups of them where they can.
  const perPartial = needs.dw ? Math.min(chunk, opts.dwSamplesPerPartial ?? dwSamplesPerPartial(g.batch, g.groups, cog, g.taps, w.size)) : 1;
  chunk -= chunk % perPartial;

  const db = needs.db ? sum(dy, [0, 2, 3], false, opts.dbPlanChannels ? [dy.shape[0]!, opts.dbPlanChannels, dy.shape[2]!, dy.shape[3]!] : undefined) : null;
  const dx = needs.dx ? empty(x.shape, 'f32', op, rt) : null;
  if (g.batch === 0) return { dx, dw: needs.dw ? zeros(w.shape, 'f32', rt) : null, db };
  const chunks = needs.dx || needs.dw ? Math.ceil(g.batch / chunk) : 0;
  const weights = w.reshape([g.groups, cog, g.taps]);
  // Every chunk but the last holds whole groups, so the partials number ⌈N / perPartial⌉ however it is chunked.
  const partials = needs.dw && chunks > 1 ? empty([Math.ceil(g.batch / perPartial), w.size], 'f32', op, rt) : null;
  let dwProducts: Tensor | null = null;
  for (let c = 0, partial = 0; c < chunks; c++) {
    const n0 = c * chunk, samples = Math.min(chunk, g.batch - n0);
    const dyc = chunks > 1 ? sliceSamples(op, dy, n0, samples) : dy;
    const dyg = dyc.reshape([samples, g.groups, cog, hw]);
    if (dx) {
      const dcols = matmul(weights, dyg, { transposeA: true });
      const launch = col2imLaunch(g, n0, samples);
      rt.dispatch({ op, kernel: col2imKernel, bindings: { dcols: dcols.buffer(op), dx: dx.buffer(op), p: launch.params }, workgroups: launch.workgroups });
      dcols.dispose();
    }
    if (needs.dw) {
      const cols = empty([samples, g.groups, g.taps, hw], 'f32', op, rt);
      const unused = empty([1], 'f32', op, rt);
      im2col(op, x, w, undefined, cols, unused, im2colLaunch(g, { n0, samples, biasRow: false, samplesOuter: true, pack: 0 }));
      unused.dispose();
      // [⌈samples / perPartial⌉, G, C_out/G, taps]
      const products = matmul(dyg, cols, { transposeB: true, sumBatch: perPartial });
      cols.dispose();
      if (partials) {
        const src = products.buffer(op), dst = partials.buffer(op);
        rt.copy(op, src.buffer, dst.buffer, products.size * 4, src.offset, dst.offset + partial * w.size * 4);
        partial += products.shape[0]!;
        products.dispose();
      } else {
        dwProducts = products;
      }
    }
    dyg.dispose();
    if (dyc !== dy) dyc.dispose();
  }
  weights.dispose();
  const all = partials ?? dwProducts;
  let dw: Tensor | null = null;
  if (all) {
    const flat = all.reshape([all.size / w.size, w.size]);
    all.dispose();
    if (flat.shape[0] === 1) dw = flat.reshape(w.shape);
    else {
      const total = sum(flat, 0);
      dw = total.reshape(w.shape);
      total.dispose();
    }
    flat.dispose();
  }
  return { dx, dw, db };
}
