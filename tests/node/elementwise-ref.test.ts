import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/device.js';
import type { DType } from '../../src/dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../../src/errors.js';
import { add, div, equal, exp, maximum, mul, pow, relu, sub, where } from '../../src/ops/elementwise.js';
import { refBinary, refUnary, refWhere } from '../../src/reference/elementwise.js';
import { ref } from '../../src/reference/ref-tensor.js';
import { Storage, Tensor } from '../../src/tensor.js';
import { broadcastWords, planBroadcast } from '../../kernels/binary.js';

const values = (t: { data: Float64Array }) => Array.from(t.data);

describe('elementwise reference', () => {
  it('computes same-shape binary ops and comparisons', () => {
    const a = ref([1, -2, 3, 4], [2, 2]), b = ref([4, 5, 3, -1], [2, 2]);
    expect(values(refBinary('add', a, b))).toEqual([5, 3, 6, 3]);
    expect(values(refBinary('sub', a, b))).toEqual([-3, -7, 0, 5]);
    expect(values(refBinary('mul', a, b))).toEqual([4, -10, 9, -4]);
    expect(values(refBinary('div', a, b))).toEqual([0.25, -0.4, 1, -4]);
    expect(values(refBinary('maximum', a, b))).toEqual([4, 5, 3, 4]);
    expect(values(refBinary('minimum', a, b))).toEqual([1, -2, 3, -1]);
    expect(values(refBinary('equal', a, b))).toEqual([0, 0, 1, 0]);
    expect(values(refBinary('notEqual', a, b))).toEqual([1, 1, 0, 1]);
    expect(values(refBinary('less', a, b))).toEqual([1, 1, 0, 0]);
    expect(values(refBinary('lessEqual', a, b))).toEqual([1, 1, 1, 0]);
    expect(values(refBinary('greater', a, b))).toEqual([0, 0, 0, 1]);
    expect(values(refBinary('greaterEqual', a, b))).toEqual([0, 0, 1, 1]);
    expect(refBinary('add', a, b).shape).toEqual([2, 2]);
  });

  it('broadcasts by NumPy rules: trailing alignment, size-1 dimensions, numbers as 0-d', () => {
    // [3, 1] ⊕ [1, 2] → [3, 2]: out[i][j] = a[i] + b[j].
    const col = ref([10, 20, 30], [3, 1]), row = ref([1, 2], [1, 2]);
    const s = refBinary('add', col, row);
    expect(s.shape).toEqual([3, 2]);
    expect(values(s)).toEqual([11, 12, 21, 22, 31, 32]);
    // [2, 3] ⊕ [3]: the row repeats.
    expect(values(refBinary('sub', ref([1, 2, 3, 4, 5, 6], [2, 3]), ref([1, 1, 2], [3])))).toEqual([0, 1, 1, 3, 4, 4]);
    // [2, 1, 2] ⊕ [3, 1] → [2, 3, 2].
    const m = refBinary('mul', ref([1, 2, 3, 4], [2, 1, 2]), ref([1, 10, 100], [3, 1]));
    expect(m.shape).toEqual([2, 3, 2]);
    expect(values(m)).toEqual([1, 2, 10, 20, 100, 200, 3, 4, 30, 40, 300, 400]);
    expect(values(refBinary('div', 1, ref([2, 4], [2])))).toEqual([0.5, 0.25]);
    expect(values(refBinary('greater', ref([1, 5], [2]), 3))).toEqual([0, 1]);
    expect(refBinary('add', ref([7], []), ref([1], [1, 1])).shape).toEqual([1, 1]);
    // A 0-size dimension broadcasts against 1 (not against 3).
    expect(refBinary('add', ref([], [0, 3]), ref([1, 2, 3], [1, 3])).shape).toEqual([0, 3]);
  });

  it('throws ShapeError naming the op, both shapes and the rule', () => {
    expect(() => refBinary('add', ref([1, 2, 3, 4, 5, 6], [2, 3]), ref([1, 2], [2]))).toThrow(ShapeError);
    expect(() => refBinary('less', ref([1, 2, 3], [3]), ref([1, 2], [2]))).toThrow(/^less: shapes are not broadcastable .*equal or 1.*got shapes \[3\], \[2\]$/);
    expect(() => refBinary('add', ref([], [0]), ref([1, 2, 3], [3]))).toThrow(/^add: .*got shapes \[0\], \[3\]/);
    expect(() => refWhere(ref([1, 0], [2]), ref([1, 2, 3], [3]), 0)).toThrow(/^where: .*got shapes \[2\], \[3\], \[\]/);
  });

  it('pow follows NumPy: x^0 = 1, 0^y, and negative bases need integer exponents', () => {
    expect(values(refBinary('pow', ref([2, -2, -2, -8, 0, 0, 0, 5], [8]), ref([10, 3, 2, 1 / 3, 0, 2, -1, -0.5], [8])))).toEqual([
      1024, -8, 4, NaN, 1, 0, Infinity, 1 / Math.sqrt(5),
    ]);
  });

  it('propagates NaN through maximum/minimum; NaN compares unequal to everything', () => {
    const a = ref([NaN, 1, NaN], [3]), b = ref([1, NaN, NaN], [3]);
    expect(values(refBinary('maximum', a, b))).toEqual([NaN, NaN, NaN]);
    expect(values(refBinary('minimum', a, b))).toEqual([NaN, NaN, NaN]);
    expect(values(refBinary('equal', a, b))).toEqual([0, 0, 0]);
    expect(values(refBinary('notEqual', a, b))).toEqual([1, 1, 1]);
    expect(values(refBinary('lessEqual', a, b))).toEqual([0, 0, 0]);
  });

  it('computes unary ops, with relu keeping NaN', () => {
    const x = ref([-2, 0, 4, NaN], [4]);
    expect(values(refUnary('neg', x))).toEqual([2, -0, -4, NaN]);
    expect(values(refUnary('abs', x))).toEqual([2, 0, 4, NaN]);
    expect(values(refUnary('relu', x))).toEqual([0, 0, 4, NaN]);
    expect(values(refUnary('sqrt', ref([4, 0.25, -1], [3])))).toEqual([2, 0.5, NaN]);
    expect(values(refUnary('rsqrt', ref([4, 0.25], [2])))).toEqual([0.5, 2]);
    expect(values(refUnary('exp', ref([0, 1], [2])))).toEqual([1, Math.E]);
    expect(values(refUnary('log', ref([1, Math.E, 0], [3])))).toEqual([0, 1, -Infinity]);
    expect(values(refUnary('sigmoid', ref([0, -1000, 1000], [3])))).toEqual([0.5, 0, 1]);
    expect(values(refUnary('tanh', ref([0, 1000], [2])))).toEqual([0, 1]);
    expect(refUnary('neg', ref([1, 2, 3, 4, 5, 6], [3, 1, 2])).shape).toEqual([3, 1, 2]);
  });

  it('where picks a where cond is nonzero (NaN included), broadcasting all three', () => {
    // cond [2, 1], a [3], b a number → [2, 3].
    const w = refWhere(ref([1, 0], [2, 1]), ref([1, 2, 3], [3]), -1);
    expect(w.shape).toEqual([2, 3]);
    expect(values(w)).toEqual([1, 2, 3, -1, -1, -1]);
    expect(values(refWhere(ref([NaN, -0, 0.5], [3]), 1, 0))).toEqual([1, 0, 1]);
  });
});

describe('broadcast plan for the kernels', () => {
  it('runs same-layout inputs unstrided, merging every dimension', () => {
    expect(planBroadcast('add', [2, 3, 4], [[2, 3, 4], [2, 3, 4]])).toMatchObject({ strided: false, shape: [24] });
    // A leading size-1 dimension does not change the layout.
    expect(planBroadcast('add', [1, 6], [[6], [1, 6]]).strided).toBe(false);
    expect(planBroadcast('add', [], [[], []])).toMatchObject({ strided: false, rank: 0 });
  });

  it('merges dimensions that broadcast alike and lists them innermost first', () => {
    // [2, 3, 4] ⊕ [4]: a is contiguous over all, b repeats every 4 → [4, 6] innermost first.
    expect(planBroadcast('add', [2, 3, 4], [[2, 3, 4], [4]])).toEqual({ strided: true, rank: 2, shape: [4, 6], strides: [[1, 4], [1, 0]] });
    // [3, 1, 5] ⊕ [4, 1] → [3, 4, 5]: nothing merges.
    expect(planBroadcast('add', [3, 4, 5], [[3, 1, 5], [4, 1]])).toEqual({ strided: true, rank: 3, shape: [5, 4, 3], strides: [[1, 0, 5], [0, 1, 0]] });
    // A 1-element tensor against [7, 3]: one run of 21 with stride 0.
    expect(planBroadcast('add', [7, 3], [[1], [7, 3]])).toEqual({ strided: true, rank: 1, shape: [21], strides: [[0], [1]] });
  });

  it('packs shape and strides into two vec4u per array, and refuses more than 8 unmergeable dimensions', () => {
    const plan = planBroadcast('add', [2, 3, 4], [[2, 3, 4], [4]]);
    expect(Array.from(broadcastWords(24, plan, [7]))).toEqual([24, 2, 7, 0, 4, 6, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    const nine = [2, 3, 2, 3, 2, 3, 2, 3, 2];
    const alternating = nine.map((d, i) => (i % 2 ? 1 : d));
    expect(() => planBroadcast('mul', nine, [alternating, nine])).toThrow(/^mul: broadcasting supports at most 8 dimensions.*needs 9/);
  });
});

describe('elementwise op validation (before any GPU work)', () => {
  // A runtime that cannot allocate: an op that passed validation would fail with a TypeError instead.
  const fakeRt = { scopes: [], release: () => undefined } as unknown as Runtime;
  const fake = (shape: number[], dtype: DType = 'f32', rt = fakeRt) => new Tensor(new Storage(rt, {} as GPUBuffer, 4), shape, dtype);

  it('ShapeError names the op, the shapes and the rule', () => {
    expect(() => add(fake([2, 3]), fake([2]))).toThrow(ShapeError);
    expect(() => sub(fake([3, 1, 5]), fake([4, 2]))).toThrow(/^sub: shapes are not broadcastable.*got shapes \[3, 1, 5\], \[4, 2\]$/);
    expect(() => where(fake([2]), fake([3]), 0)).toThrow(/^where: .*equal or 1.*\[2\], \[3\], \[\]$/);
  });

  it('DTypeError for mixed dtypes, float-only ops on integers, and unrepresentable numbers', () => {
    expect(() => add(fake([2]), fake([2], 'i32'))).toThrow(/^add: operands must have the same dtype; got dtypes f32, i32$/);
    expect(() => div(fake([2], 'i32'), fake([2], 'i32'))).toThrow(/^div: div takes f32 tensors/);
    expect(() => pow(fake([2], 'u32'), 2)).toThrow(DTypeError);
    expect(() => exp(fake([2], 'i32'))).toThrow(DTypeError);
    expect(() => equal(fake([2], 'i32'), 1.5)).toThrow(/^equal: the number 1.5 is not representable as i32/);
    expect(() => maximum(fake([2], 'u32'), -1)).toThrow(DTypeError);
    expect(() => where(fake([2], 'i32'), fake([2]), fake([2], 'u32'))).toThrow(/^where: operands must have the same dtype; got dtypes f32, u32/);
    expect(() => where(fake([2]), fake([2], 'i32'), 0.5)).toThrow(DTypeError);
  });

  it('ArgumentError for disposed tensors, other runtimes and non-tensor operands', () => {
    const gone = fake([2]);
    gone.dispose();
    expect(() => relu(gone)).toThrow(/^relu: uses a disposed tensor of shape \[2\]/);
    expect(() => add(fake([2]), gone)).toThrow(ArgumentError);
    const otherRt = { scopes: [] } as unknown as Runtime;
    expect(() => mul(fake([2]), fake([2], 'f32', otherRt))).toThrow(/^mul: operands belong to different runtimes/);
    expect(() => add(1, 2)).toThrow(/^add: needs at least one tensor operand/);
    expect(() => add(fake([2]), '1' as unknown as number)).toThrow(/^add: operands must be tensors or numbers, got string/);
    expect(() => where(1 as unknown as Tensor, 1, 2)).toThrow(/^where: the condition must be a tensor/);
  });
});
