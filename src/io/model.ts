import type { AnyTypedArray } from '../dtype.js';
import { ArgumentError, ShapeError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import { decodeSafetensors, encodeSafetensors, tensorValues, type SafetensorsDType, type SafetensorsTensor } from './safetensors.js';

/**
 * Optimizer state is stored in the same file under this prefix, after PyTorch's `optimizer.state_dict()`
 * flattened with dots: `optimizer.state.<i>.<key>`, where i is the parameter's position in the list the
 * optimizer was built with (`model.parameters()` order, as in PyTorch) and key is PyTorch's state name
 * (`exp_avg`, `exp_avg_sq`, `momentum_buffer`, `sum`, `square_avg`, `step`). The model's own entries
 * keep their plain PyTorch names, so `torch.nn.Module.load_state_dict` takes them after dropping the
 * `optimizer.` entries.
 */
export const OPTIMIZER_PREFIX = 'optimizer.';

export interface SaveModelOptions {
  /** Optimizer state tensors by name without the prefix (`state.0.exp_avg`…). */
  optimizerState?: ReadonlyMap<string, Tensor>;
  /** Extra `__metadata__` strings (hyperparameters, epoch…); `format: "pt"` is always set, as PyTorch tools expect. */
  metadata?: Record<string, string>;
}

export interface LoadModelOptions {
  /** Refuse model names missing from the file or unknown to the module (default true). */
  strict?: boolean;
  /** File name for error messages. */
  name?: string;
  /**
   * Skip (and report) entries whose shape differs from the module's, e.g. a classifier head with another
   * number of classes, instead of refusing the file. Needs `strict: false`.
   */
  skipMismatched?: boolean;
}

/** What a load did, by PyTorch name (PyTorch's `missing_keys` / `unexpected_keys`, plus shape mismatches). */
export interface LoadReport {
  loaded: string[];
  /** The module's entries the file did not provide (left as they were). */
  missing: string[];
  /** The file's entries the module does not have. */
  unexpected: string[];
  /** Entries present on both sides with different shapes (`skipMismatched`), as `name: file [..] vs module [..]`. */
  mismatched: string[];
}

export interface LoadedModel {
  /** Entries under `optimizer.`, prefix removed, for the optimizer to load. */
  optimizerState: Map<string, { shape: number[]; data: AnyTypedArray }>;
  metadata: Record<string, string>;
  report: LoadReport;
}

/** Integer tensors are written as I64, PyTorch's integer type (BatchNorm's `num_batches_tracked`). */
function entryFor(values: AnyTypedArray, shape: readonly number[]): SafetensorsTensor {
  if (values instanceof Float32Array) return { dtype: 'F32', shape, data: values };
  return { dtype: 'I64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/** Reads every state tensor back from the GPU and serializes model (and optimizer) state as safetensors. */
export async function saveModel(module: Module, options: SaveModelOptions = {}): Promise<Uint8Array> {
  const named = module.stateDict();
  for (const [k, t] of options.optimizerState ?? []) {
    if (named.has(OPTIMIZER_PREFIX + k)) throw new ArgumentError('saveModel', `optimizer state ${k} collides with the model's ${OPTIMIZER_PREFIX + k}`);
    named.set(OPTIMIZER_PREFIX + k, t);
  }
  const values = await Promise.all([...named.values()].map((t) => t.toArray()));
  const entries = new Map<string, SafetensorsTensor>();
  [...named].forEach(([k, t], i) => entries.set(k, entryFor(values[i]!, t.shape)));
  return encodeSafetensors(entries, { ...options.metadata, format: 'pt' });
}

const FLOAT_DTYPES: readonly SafetensorsDType[] = ['F32', 'F16', 'BF16', 'F64'];

/**
 * Values of any numeric dtype for a tensor of another kind, as PyTorch's load_state_dict copies them
 * (copy_ converts): floats into an integer tensor when every value is an integer (num_batches_tracked
 * stored as F32 by some writers), integers into an f32 tensor.
 */
function convertForLoad(op: string, name: string, from: SafetensorsDType, values: Float32Array | Int32Array | Uint32Array, to: Tensor['dtype']): Float32Array | Int32Array | Uint32Array {
  const isFloat = FLOAT_DTYPES.includes(from);
  if (isFloat === (to === 'f32')) return values;
  if (!isFloat) return Float32Array.from(values);
  const lo = to === 'u32' ? 0 : -0x80000000, hi = to === 'u32' ? 0xffffffff : 0x7fffffff;
  const bad = values.findIndex((v) => !Number.isInteger(v) || v < lo || v > hi);
  if (bad >= 0) throw new ArgumentError(op, `${name}: ${from} value ${values[bad]} at index ${bad} is not an integer that fits the module's ${to} tensor`);
  return to === 'u32' ? Uint32Array.from(values) : Int32Array.from(values);
}

/**
 * Loads weights saved by `saveModel` or by PyTorch (`safetensors.torch.save_file(model.state_dict())`):
 * checks names, shapes and dtypes (floats into f32 tensors, F16/BF16/F64 converted; integers into
 * i32/u32 buffers, I64 narrowed when the values fit) before writing anything, then `loadStateDict`.
 */
export function loadModel(module: Module, bytes: Uint8Array, options: LoadModelOptions = {}): LoadedModel {
  const op = 'loadModel';
  const file = decodeSafetensors(bytes, options.name);
  const own = module.stateDict();
  const state = new Map<string, AnyTypedArray>();
  const optimizerState = new Map<string, { shape: number[]; data: AnyTypedArray }>();
  const unexpected: string[] = [], mismatched: string[] = [];
  const strict = options.strict ?? true;
  if (options.skipMismatched && strict) throw new ArgumentError(op, 'skipMismatched needs strict: false (skipped entries are missing ones)');
  for (const [name, t] of file.tensors) {
    if (name.startsWith(OPTIMIZER_PREFIX)) {
      optimizerState.set(name.slice(OPTIMIZER_PREFIX.length), { shape: t.shape, data: tensorValues(t, name) });
      continue;
    }
    const dst = own.get(name);
    if (!dst) {
      unexpected.push(name);
      continue;
    }
    const sameShape = t.shape.length === dst.shape.length && t.shape.every((d, i) => d === dst.shape[i]);
    if (!sameShape && options.skipMismatched) {
      mismatched.push(`${name}: file [${t.shape.join(', ')}] vs module [${dst.shape.join(', ')}]`);
      continue;
    }
    if (!sameShape) throw new ShapeError(op, [dst.shape, t.shape], `${name}: the file's shape must match the module's`);
    const values = convertForLoad(op, name, t.dtype, tensorValues(t, name), dst.dtype);
    if (dst.dtype === 'u32' && values instanceof Int32Array) {
      const negative = values.findIndex((v) => v < 0);
      if (negative >= 0) throw new ArgumentError(op, `${name}: value ${values[negative]} at index ${negative} does not fit in u32`);
      state.set(name, new Uint32Array(values.buffer));
    } else if (dst.dtype === 'i32' && values instanceof Uint32Array) {
      const big = values.findIndex((v) => v > 0x7fffffff);
      if (big >= 0) throw new ArgumentError(op, `${name}: value ${values[big]} at index ${big} does not fit in i32`);
      state.set(name, new Int32Array(values.buffer));
    } else state.set(name, values);
  }
  const missing = [...own.keys()].filter((k) => !state.has(k));
  if (strict) {
    if (missing.length || unexpected.length) throw new ArgumentError(op, `missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`);
  }
  module.loadStateDict(state, strict);
  // In the module's order (PyTorch's), whatever order the file lists its tensors in.
  const order = [...own.keys()];
  const byModule = (a: string, b: string) => order.indexOf(a.split(':')[0]!) - order.indexOf(b.split(':')[0]!);
  mismatched.sort(byModule);
  return { optimizerState, metadata: file.metadata, report: { loaded: [...state.keys()].sort(byModule), missing, unexpected, mismatched } };
}
