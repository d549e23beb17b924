import { getRuntime, type Runtime } from '../device.js';
import { dtypeOfArray, isDType, type AnyTypedArray, type DType } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { f32bits, i32bits } from '../params.js';
import { checkShape, sizeOf, type Shape } from '../shape.js';
import { empty, Tensor } from '../tensor.js';
import { FILL_WORKGROUP, fillKernel } from '../../kernels/fill.js';
import { DIST_NORMAL, DIST_UNIFORM, RANDOM_VALUES_PER_WORKGROUP, randomKernel } from '../../kernels/random.js';

type NestedNumbers = number | readonly NestedNumbers[];

function inferShape(data: NestedNumbers): number[] {
  const shape: number[] = [];
  let x: NestedNumbers = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0] as NestedNumbers;
  }
  return shape;
}

function flattenNested(data: NestedNumbers, shape: number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof data !== 'number') throw new ShapeError('tensor', [shape], 'nested arrays must be rectangular and hold numbers');
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) throw new ShapeError('tensor', [shape], `nested arrays must be rectangular (a row at depth ${depth} has another length)`);
  for (const x of data) flattenNested(x, shape, depth + 1, out);
}

function toTyped(values: ArrayLike<number>, dtype: DType): AnyTypedArray {
  if (dtype === 'f32') return Float32Array.from(values);
  const out = dtype === 'i32' ? Int32Array.from(values) : Uint32Array.from(values);
  for (let i = 0; i < values.length; i++) {
    if (out[i] !== values[i]) throw new DTypeError('tensor', [dtype], `value ${values[i]} at index ${i} is not representable as ${dtype}`);
  }
  return out;
}

/**
 * A tensor from CPU data: a typed array or (nested) number array. The shape defaults to the nested
 * arrays' shape (or 1-D); the dtype to the typed array's (f32 for plain numbers).
 */
export function tensor(data: AnyTypedArray | NestedNumbers, shape?: Shape, dtype?: DType, rt: Runtime = getRuntime()): Tensor {
  if (dtype !== undefined && !isDType(dtype)) throw new DTypeError('tensor', [String(dtype)], 'dtype must be f32, i32 or u32');
  let flat: AnyTypedArray;
  let inferred: number[];
  if (ArrayBuffer.isView(data)) {
    inferred = [data.length];
    flat = dtype === undefined || dtype === dtypeOfArray(data) ? data : toTyped(data, dtype);
  } else {
    inferred = inferShape(data);
    const values: number[] = [];
    flattenNested(data, inferred, 0, values);
    flat = toTyped(values, dtype ?? 'f32');
  }
  const s = shape ?? inferred;
  checkShape('tensor', s);
  if (sizeOf(s) !== flat.length) throw new ShapeError('tensor', [s], `shape holds ${sizeOf(s)} elements but ${flat.length} values were given`);
  const t = empty(s, dtype ?? dtypeOfArray(flat), 'tensor', rt);
  if (flat.length) rt.upload('tensor', t.buffer(), flat);
  return t;
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number, dtype: DType = 'f32', rt: Runtime = getRuntime()): Tensor {
  checkShape('full', shape);
  if (dtype !== 'f32' && !Number.isInteger(value)) throw new DTypeError('full', [dtype], `fill value ${value} is not an integer`);
  const t = empty(shape, dtype, 'full', rt);
  if (t.size) {
    const bits = dtype === 'f32' ? f32bits(value) : dtype === 'i32' ? i32bits(value) : value >>> 0;
    rt.dispatch({ op: 'full', kernel: fillKernel, bindings: { out: t.buffer(), p: Uint32Array.of(t.size, bits) }, workgroups: Math.ceil(t.size / FILL_WORKGROUP) });
  }
  return t;
}

export function zeros(shape: Shape, dtype: DType = 'f32', rt: Runtime = getRuntime()): Tensor {
  return full(shape, 0, dtype, rt);
}

export function ones(shape: Shape, dtype: DType = 'f32', rt: Runtime = getRuntime()): Tensor {
  return full(shape, 1, dtype, rt);
}

export interface RandomOptions {
  /** Fixed seed: the same seed gives the same numbers. Without it, the global generator (see `seed()`) advances. */
  seed?: number;
}

const generators = new WeakMap<Runtime, { seed: number; stream: number }>();

function generator(rt: Runtime): { seed: number; stream: number } {
  let g = generators.get(rt);
  if (!g) generators.set(rt, (g = { seed: 0x5eed, stream: 0 }));
  return g;
}

/** Seeds the global generator of the runtime, like torch.manual_seed. */
export function seed(value: number, rt: Runtime = getRuntime()): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new ArgumentError('seed', `seed must be a non-negative safe integer, got ${value}`);
  const g = generator(rt);
  g.seed = value;
  g.stream = 0;
}

function random(op: string, shape: Shape, dist: number, a: number, b: number, opts: RandomOptions, rt: Runtime): Tensor {
  checkShape(op, shape);
  let key: number, stream: number;
  if (opts.seed !== undefined) {
    if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new ArgumentError(op, `seed must be a non-negative safe integer, got ${opts.seed}`);
    key = opts.seed;
    stream = 0;
  } else {
    const g = generator(rt);
    key = g.seed;
    stream = ++g.stream;
  }
  const t = empty(shape, 'f32', op, rt);
  if (t.size) {
    const words = Uint32Array.of(t.size, key >>> 0, Math.floor(key / 2 ** 32) >>> 0, stream >>> 0, dist, f32bits(a), f32bits(b));
    rt.dispatch({ op, kernel: randomKernel, bindings: { out: t.buffer(), p: words }, workgroups: Math.ceil(t.size / RANDOM_VALUES_PER_WORKGROUP) });
  }
  return t;
}

/** Uniform samples in [low, high), generated on the GPU (Philox4x32-10). */
export function rand(shape: Shape, opts: RandomOptions & { low?: number; high?: number } = {}, rt: Runtime = getRuntime()): Tensor {
  return random('rand', shape, DIST_UNIFORM, opts.low ?? 0, opts.high ?? 1, opts, rt);
}

/** Normal samples with the given mean and std, generated on the GPU (Philox4x32-10 + Box-Muller). */
export function randn(shape: Shape, opts: RandomOptions & { mean?: number; std?: number } = {}, rt: Runtime = getRuntime()): Tensor {
  return random('randn', shape, DIST_NORMAL, opts.mean ?? 0, opts.std ?? 1, opts, rt);
}

