import { ArgumentError } from '../errors.js';
import { checkPool2dOptions, type AvgPool2dOptions, type Pool2dOptions, type Size2 } from '../ops/pool.js';

/**
 * PyTorch's positional constructor arguments (`nn.MaxPool2d(2)`, `nn.Conv2d(1, 6, 5, 1, 2)`,
 * `nn.BatchNorm2d(6, 1e-5, 0.1)`, `nn.Linear(4, 3, False)`) turned into this library's options, checked
 * when the layer is built. Options PyTorch has and this library does not implement are refused here,
 * never ignored.
 */

const isSize2 = (v: unknown): v is Size2 => typeof v === 'number' || Array.isArray(v);

function size2(op: string, name: string, v: unknown, min: number): Size2 {
  const ok = (d: unknown) => typeof d === 'number' && Number.isInteger(d) && d >= min;
  if ((typeof v === 'number' && ok(v)) || (Array.isArray(v) && v.length === 2 && v.every(ok))) return v as Size2;
  throw new ArgumentError(op, `${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v) ?? String(v)}`);
}

function unsupported(op: string, name: string, value: unknown, fallback: unknown): void {
  if (value !== undefined && value !== fallback) throw new ArgumentError(op, `${name} = ${JSON.stringify(value)} is not supported (only ${JSON.stringify(fallback)})`);
}

/** MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False) or options. */
export function maxPoolOptions(a: Size2 | Pool2dOptions, rest: readonly unknown[]): Pool2dOptions {
  const op = 'MaxPool2d';
  const [stride, padding, dilation, returnIndices, ceilMode] = rest;
  const opts = isSize2(a) ? positionalPool(op, a, stride, padding) : a;
  if (!isSize2(a) && rest.length) throw new ArgumentError(op, 'give either an options object or positional arguments, not both');
  unsupported(op, 'dilation', dilation, 1);
  unsupported(op, 'returnIndices', returnIndices, false);
  unsupported(op, 'ceilMode', ceilMode, false);
  checkPool2dOptions(op, opts);
  return opts;
}

/** AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None) or options. */
export function avgPoolOptions(a: Size2 | AvgPool2dOptions, rest: readonly unknown[]): AvgPool2dOptions {
  const op = 'AvgPool2d';
  const [stride, padding, ceilMode, countIncludePad, divisorOverride] = rest;
  if (!isSize2(a) && rest.length) throw new ArgumentError(op, 'give either an options object or positional arguments, not both');
  const opts: AvgPool2dOptions = isSize2(a) ? positionalPool(op, a, stride, padding) : a;
  unsupported(op, 'ceilMode', ceilMode, false);
  if (divisorOverride !== undefined && divisorOverride !== null) unsupported(op, 'divisorOverride', divisorOverride, null);
  if (countIncludePad !== undefined) {
    if (typeof countIncludePad !== 'boolean') throw new ArgumentError(op, `countIncludePad must be a boolean, got ${String(countIncludePad)}`);
    opts.countIncludePad = countIncludePad;
  }
  checkPool2dOptions(op, opts);
  return opts;
}

function positionalPool(op: string, kernelSize: Size2, stride: unknown, padding: unknown): Pool2dOptions {
  const opts: Pool2dOptions = { kernelSize: size2(op, 'kernelSize', kernelSize, 1) };
  if (stride !== undefined && stride !== null) opts.stride = size2(op, 'stride', stride, 1);
  if (padding !== undefined) opts.padding = size2(op, 'padding', padding, 0);
  return opts;
}

export interface ConvPositional {
  stride?: Size2;
  padding?: Size2;
  dilation?: Size2;
  groups?: number;
  bias?: boolean;
}

/** Conv2d's arguments after kernel_size: stride=1, padding=0, dilation=1, groups=1, bias=True (or an options object). */
export function convOptions<T extends ConvPositional>(kernelSize: unknown, a: T | Size2 | undefined, rest: readonly unknown[]): T {
  const op = 'Conv2d';
  size2(op, 'kernelSize', kernelSize, 1);
  if (a === undefined || !isSize2(a)) {
    if (rest.length) throw new ArgumentError(op, 'give either an options object or positional arguments, not both');
    return a ?? ({} as T);
  }
  const [padding, dilation, groups, bias, paddingMode] = rest;
  const opts = { stride: size2(op, 'stride', a, 1) } as T;
  if (padding !== undefined) {
    if (typeof padding === 'string') throw new ArgumentError(op, `padding '${padding}' is not supported: give the padding in pixels`);
    opts.padding = size2(op, 'padding', padding, 0);
  }
  if (dilation !== undefined) opts.dilation = size2(op, 'dilation', dilation, 1);
  if (groups !== undefined) opts.groups = groups as number;
  if (bias !== undefined) {
    if (typeof bias !== 'boolean') throw new ArgumentError(op, `bias must be a boolean, got ${String(bias)}`);
    opts.bias = bias;
  }
  unsupported(op, 'paddingMode', paddingMode, 'zeros');
  return opts;
}

/** Linear's third argument: bias=True (PyTorch) or an options object. */
export function linearOptions<T extends { bias?: boolean }>(a: T | boolean | undefined): T {
  if (typeof a === 'boolean') return { bias: a } as T;
  return a ?? ({} as T);
}

export interface BatchNormPositional {
  eps?: number;
  momentum?: number;
  affine?: boolean;
}

/** BatchNorm's arguments after num_features: eps=1e-5, momentum=0.1, affine=True, track_running_stats=True (or options). */
export function batchNormOptions<T extends BatchNormPositional>(op: string, a: T | number | undefined, rest: readonly unknown[]): T {
  if (typeof a !== 'number') {
    if (rest.length) throw new ArgumentError(op, 'give either an options object or positional arguments, not both');
    return a ?? ({} as T);
  }
  const [momentum, affine, trackRunningStats] = rest;
  if (momentum === null) throw new ArgumentError(op, 'momentum = null (a cumulative moving average) is not supported: give a number in [0, 1]');
  if (momentum !== undefined && typeof momentum !== 'number') throw new ArgumentError(op, `momentum must be a number, got ${String(momentum)}`);
  if (affine !== undefined && typeof affine !== 'boolean') throw new ArgumentError(op, `affine must be a boolean, got ${String(affine)}`);
  unsupported(op, 'trackRunningStats', trackRunningStats, true);
  return { eps: a, momentum: momentum as number | undefined, affine: affine as boolean | undefined } as T;
}
