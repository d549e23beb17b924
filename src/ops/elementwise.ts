import type { Runtime } from '../device.js';
import type { DType } from '../dtype.js';
import { ArgumentError, DTypeError } from '../errors.js';
import { f32bits, i32bits } from '../params.js';
import { cachedSpec, type Specialization } from '../kernel.js';
import { broadcastShapes, sameShape, type Shape } from '../shape.js';
import { empty, Tensor } from '../tensor.js';
import { BINARY_OPS, binaryKernel, broadcastWords, ELEMENTWISE_PER_WORKGROUP, planBroadcast, SCALAR_MODES, type BinaryOp } from '../../kernels/binary.js';
import { planUnary, unaryKernel, type UnaryOp } from '../../kernels/unary.js';
import { whereKernel } from '../../kernels/where.js';

/**
 * A tensor, or a JS number standing for a 0-d tensor of the other operand's dtype (it broadcasts to
 * anything). Binary ops pass the number's bits in the uniform: no buffer, no upload.
 */
export type Operand = Tensor | number;

const ALL_DTYPES: readonly DType[] = ['f32', 'i32', 'u32'];
const FLOAT_ONLY: readonly DType[] = ['f32'];

/** The bits of `value` as `dtype`; integers must be exactly representable. */
function scalarBits(op: string, value: number, dtype: DType): number {
  if (dtype === 'f32') return f32bits(value);
  const [lo, hi] = dtype === 'i32' ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1];
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new DTypeError(op, [dtype, 'number'], `the number ${value} is not representable as ${dtype}, the tensor operand's dtype`);
  }
  return dtype === 'i32' ? i32bits(value) : value >>> 0;
}

/** Checks the operands are live tensors of one runtime, or numbers; returns the tensors. */
function liveTensors(op: string, operands: readonly unknown[]): Tensor[] {
  const tensors: Tensor[] = [];
  for (const x of operands) {
    if (x instanceof Tensor) {
      x.buffer(op);
      tensors.push(x);
    } else if (typeof x !== 'number') {
      throw new ArgumentError(op, `operands must be tensors or numbers, got ${x === null ? 'null' : typeof x}`);
    }
  }
  if (!tensors.length) throw new ArgumentError(op, 'needs at least one tensor operand (got only numbers)');
  if (tensors.some((t) => t.rt !== tensors[0]!.rt)) throw new ArgumentError(op, 'operands belong to different runtimes');
  return tensors;
}

function sameDType(op: string, tensors: readonly Tensor[], allowed: readonly DType[]): DType {
  const dtypes = tensors.map((t) => t.dtype);
  if (dtypes.some((d) => d !== dtypes[0])) throw new DTypeError(op, dtypes, 'operands must have the same dtype');
  if (!allowed.includes(dtypes[0]!)) throw new DTypeError(op, dtypes, `${op} takes ${allowed.join(' or ')} tensors`);
  return dtypes[0]!;
}

const shapeOf = (x: Operand): Shape => (x instanceof Tensor ? x.shape : []);

function unary(op: UnaryOp, x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(op, `takes a tensor, got ${x === null ? 'null' : typeof x}`);
  x.buffer(op);
  sameDType(op, [x], FLOAT_ONLY);
  const out = empty(x.shape, 'f32', op, x.rt);
  if (x.size === 0) return out;
  const plan = planUnary(op, x.size);
  x.rt.dispatch({ op, kernel: unaryKernel, bindings: { x: x.buffer(op), out: out.buffer(op), p: plan.params }, workgroups: plan.workgroups, specialize: plan.specialize });
  return out;
}

const BINARY_DTYPES: Record<BinaryOp, readonly DType[]> = {
  add: ALL_DTYPES, sub: ALL_DTYPES, mul: ALL_DTYPES, div: FLOAT_ONLY, pow: FLOAT_ONLY, maximum: ALL_DTYPES, minimum: ALL_DTYPES,
  equal: ALL_DTYPES, notEqual: ALL_DTYPES, less: ALL_DTYPES, lessEqual: ALL_DTYPES, greater: ALL_DTYPES, greaterEqual: ALL_DTYPES,
};

const binarySpecs = new Map<number, Specialization>();

function binary(op: BinaryOp, a: Operand, b: Operand): Tensor {
  const tensors = liveTensors(op, [a, b]);
  const dtype = sameDType(op, tensors, BINARY_DTYPES[op]);
  const mode = typeof a === 'number' ? SCALAR_MODES.a : typeof b === 'number' ? SCALAR_MODES.b : SCALAR_MODES.none;
  const scalar = typeof a === 'number' ? scalarBits(op, a, dtype) : typeof b === 'number' ? scalarBits(op, b, dtype) : 0;
  // Equal shapes, or a number (read from the uniform, it takes the output's layout): no broadcasting to plan.
  const elementwise = tensors.length === 1 || sameShape(tensors[0]!.shape, tensors[1]!.shape);
  const outShape = elementwise ? tensors[0]!.shape : broadcastShapes(op, shapeOf(a), shapeOf(b));
  const plan = elementwise ? null : planBroadcast(op, outShape, [shapeOf(a), shapeOf(b)]);
  const strided = plan?.strided ?? false;
  const rt = tensors[0]!.rt;
  const opCode = BINARY_OPS[op];
  const outDType: DType = opCode >= BINARY_OPS.equal ? 'f32' : dtype;
  const out = empty(outShape, outDType, op, rt);
  const n = out.size;
  if (n === 0) return out;
  // A number's binding is never read: the tensor operand fills it.
  const ta = a instanceof Tensor ? a : tensors[0]!, tb = b instanceof Tensor ? b : tensors[0]!;
  let words: Uint32Array;
  if (plan) words = broadcastWords(n, plan, [scalar]);
  else {
    // dispatch() reads uniform words before returning and keeps none: one scratch array serves every call.
    words = contiguousWords;
    words[0] = n;
    words[1] = n === 1 ? 0 : 1; // the rank planBroadcast gives a contiguous shape
    words[2] = scalar;
  }
  const specIndex = ((opCode * DTYPE_CODES.length + DTYPE_CODES.indexOf(dtype)) * 2 + (strided ? 1 : 0)) * 3 + mode;
  rt.dispatch({
    op, kernel: binaryKernel,
    bindings: { a: ta.buffer(op), b: tb.buffer(op), out: out.buffer(op), p: words },
    workgroups: Math.ceil(n / ELEMENTWISE_PER_WORKGROUP),
    specialize: cachedSpec(binarySpecs, specIndex, binarySpec, opCode, dtype, outDType, strided, mode),
  });
  return out;
}

/** WGSL spells the element types like the dtypes. */
function binarySpec(opCode: number, dtype: DType, outDType: DType, strided: boolean, mode: number): Specialization {
  return { OP: `${opCode}u`, T: dtype, R: outDType, FLOAT: `${dtype === 'f32'}`, STRIDED: `${strided}`, SCALAR: `${mode}u` };
}

const DTYPE_CODES: readonly DType[] = ['f32', 'i32', 'u32'];
/** broadcastWords' layout for two inputs, of which a contiguous op sets only n, rank and the scalar. */
const contiguousWords = new Uint32Array(4 + 8 * 3);

/** A 0-d tensor holding a number's bits, for where(); the caller disposes it once encoded. */
function scalarTensor(op: string, value: number, dtype: DType, rt: Runtime): Tensor {
  const t = empty([], dtype, op, rt);
  rt.upload(op, t.buffer(op), Uint32Array.of(scalarBits(op, value, dtype)));
  return t;
}

/**
 * Elementwise `cond ? a : b` with NumPy broadcasting over all three. `cond` is f32 (nonzero, NaN
 * included, is true), i32 or u32; `a` and `b` share a dtype, which the output takes. A number for `a` or
 * `b` takes the other's dtype (f32 when both are numbers).
 */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const op = 'where';
  if (!(cond instanceof Tensor)) throw new ArgumentError(op, 'the condition must be a tensor');
  liveTensors(op, [cond, a, b]);
  const values = [a, b].filter((x): x is Tensor => x instanceof Tensor);
  const dtype = values.length ? sameDType(op, values, ALL_DTYPES) : 'f32';
  // Validate number operands before any GPU work.
  for (const x of [a, b]) if (typeof x === 'number') scalarBits(op, x, dtype);
  const outShape = broadcastShapes(op, cond.shape, shapeOf(a), shapeOf(b));
  const plan = planBroadcast(op, outShape, [cond.shape, shapeOf(a), shapeOf(b)]);
  const rt = cond.rt;
  const out = empty(outShape, dtype, op, rt);
  const n = out.size;
  if (n === 0) return out;
  const ta = a instanceof Tensor ? a : scalarTensor(op, a, dtype, rt);
  const tb = b instanceof Tensor ? b : scalarTensor(op, b, dtype, rt);
  rt.dispatch({
    op, kernel: whereKernel,
    bindings: { cond: cond.buffer(op), a: ta.buffer(op), b: tb.buffer(op), out: out.buffer(op), p: broadcastWords(n, plan, []) },
    workgroups: Math.ceil(n / ELEMENTWISE_PER_WORKGROUP),
    specialize: { C: cond.dtype, T: dtype, NONZERO_MASK: cond.dtype === 'f32' ? '0x7fffffffu' : '0xffffffffu', STRIDED: `${plan.strided}` },
  });
  if (ta !== a) ta.dispose();
  if (tb !== b) tb.dispose();
  return out;
}

export const add = (a: Operand, b: Operand): Tensor => binary('add', a, b);
export const sub = (a: Operand, b: Operand): Tensor => binary('sub', a, b);
export const mul = (a: Operand, b: Operand): Tensor => binary('mul', a, b);
/** f32 only. */
export const div = (a: Operand, b: Operand): Tensor => binary('div', a, b);
/** f32 only. NumPy's rules: x^0 = 1, and a negative base needs an integer exponent (else NaN). */
export const pow = (a: Operand, b: Operand): Tensor => binary('pow', a, b);
/** NaN in either operand gives NaN (f32), as in NumPy and PyTorch. */
export const maximum = (a: Operand, b: Operand): Tensor => binary('maximum', a, b);
export const minimum = (a: Operand, b: Operand): Tensor => binary('minimum', a, b);
/** Comparisons give f32 1 where true, 0 where false, for any input dtype. */
export const equal = (a: Operand, b: Operand): Tensor => binary('equal', a, b);
export const notEqual = (a: Operand, b: Operand): Tensor => binary('notEqual', a, b);
export const less = (a: Operand, b: Operand): Tensor => binary('less', a, b);
export const lessEqual = (a: Operand, b: Operand): Tensor => binary('lessEqual', a, b);
export const greater = (a: Operand, b: Operand): Tensor => binary('greater', a, b);
export const greaterEqual = (a: Operand, b: Operand): Tensor => binary('greaterEqual', a, b);

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
/** Negative inputs give an indeterminate value (WGSL), not necessarily NaN. */
export const log = (x: Tensor): Tensor => unary('log', x);
/** Negative inputs give an indeterminate value (WGSL), not necessarily NaN. */
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
/** 1/√x. */
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', x);
export const relu = (x: Tensor): Tensor => unary('relu', x);
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
