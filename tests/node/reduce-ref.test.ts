import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/device.js';
import type { DType } from '../../src/dtype.js';
import { ArgumentError, DTypeError } from '../../src/errors.js';
import { argmax, argmin, max, mean, min, reduceSteps, sum } from '../../src/ops/reduce.js';
import { permute, simplifyPermutation, transpose } from '../../src/ops/transpose.js';
import { ref } from '../../src/reference/ref-tensor.js';
import { refArgmax, refArgmin, refMax, refMean, refMin, refSum } from '../../src/reference/reduce.js';
import { refPermute, refTranspose } from '../../src/reference/transpose.js';
import { Storage, Tensor } from '../../src/tensor.js';
import { planReducePass } from '../../kernels/reduce.js';

const x23 = ref([1, 5, 3, 4, 2, 6], [2, 3]);
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('reduction reference', () => {
  it('sums, means, maxima and minima over one axis, all axes, negative axes and keepDims', () => {
    expect(Array.from(refSum(x23).data)).toEqual([21]);
    expect(refSum(x23).shape).toEqual([]);
    expect(Array.from(refSum(x23, 0).data)).toEqual([5, 7, 9]);
    expect(Array.from(refSum(x23, -1).data)).toEqual([9, 12]);
    expect(refSum(x23, 1, true).shape).toEqual([2, 1]);
    expect(refSum(x23, undefined, true).shape).toEqual([1, 1]);
    expect(Array.from(refMean(x23, -1).data)).toEqual([3, 4]);
    expect(Array.from(refMax(x23, 0).data)).toEqual([4, 5, 6]);
    expect(Array.from(refMin(x23, 1).data)).toEqual([1, 2]);
  });

  it('reduces a non-contiguous set of axes', () => {
    // x[i][j][k] = 4i + 2j + k; summing i and k leaves j: (0+1+4+5, 2+3+6+7).
    const x = ref(iota(8), [2, 2, 2]);
    expect(Array.from(refSum(x, [0, 2]).data)).toEqual([10, 18]);
    expect(refSum(x, [2, 0], true).shape).toEqual([1, 2, 1]);
  });

  it('argmax/argmin give the first index on ties, the flattened index without an axis, and NaN wins', () => {
    expect(Array.from(refArgmax(x23, 1).data)).toEqual([1, 2]);
    expect(Array.from(refArgmin(x23, 0).data)).toEqual([0, 1, 0]);
    expect(Array.from(refArgmax(x23).data)).toEqual([5]);
    expect(Array.from(refArgmax(ref([3, 1, 3], [3])).data)).toEqual([0]);
    expect(Array.from(refArgmin(ref([2, 0, 0], [3])).data)).toEqual([1]);
    expect(Array.from(refArgmax(ref([1, NaN, 3, NaN], [4])).data)).toEqual([1]);
    expect(Array.from(refArgmin(ref([1, NaN], [2])).data)).toEqual([1]);
    expect(refArgmax(x23, 0, true).shape).toEqual([1, 3]);
  });

  it('propagates NaN through max and min', () => {
    expect(Array.from(refMax(ref([1, NaN, 3, 0, 1, 2], [2, 3]), 1).data)).toEqual([NaN, 2]);
    expect(Array.from(refMin(ref([1, NaN, 3], [3])).data)).toEqual([NaN]);
  });

  it('empty reductions: sum 0, mean NaN, max/min/argmax throw', () => {
    const e = ref([], [2, 0]);
    expect(Array.from(refSum(e, 1).data)).toEqual([0, 0]);
    expect(Array.from(refMean(e, 1).data)).toEqual([NaN, NaN]);
    expect(() => refMax(e, 1)).toThrow(ArgumentError);
    expect(() => refArgmin(e, 1)).toThrow(ArgumentError);
  });
});

describe('transpose reference', () => {
  it('transposes and permutes', () => {
    const t = refTranspose(ref(iota(6), [2, 3]));
    expect(t.shape).toEqual([3, 2]);
    expect(Array.from(t.data)).toEqual([0, 3, 1, 4, 2, 5]);
    // out[k][i][j] = x[i][j][k] = 12i + 4j + k; out[1][1][2] sits at 1·6 + 1·3 + 2 = 11.
    const p = refPermute(ref(iota(24), [2, 3, 4]), [-1, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.data[11]).toBe(21);
    expect(() => refPermute(ref(iota(6), [2, 3]), [1, 1])).toThrow(/not a permutation/);
  });
});

describe('reduction planning', () => {
  it('merges contiguous axes into one step and reduces separate runs one after another, last first', () => {
    expect(reduceSteps([3, 17, 65], [0, 2])).toEqual([{ outer: 51, r: 65, inner: 1 }, { outer: 1, r: 3, inner: 17 }]);
    expect(reduceSteps([3, 17, 65], [1, 2])).toEqual([{ outer: 3, r: 1105, inner: 1 }]);
    // The size-1 axis between them does not separate axes 0 and 2.
    expect(reduceSteps([4, 1, 5, 6], [0, 2])).toEqual([{ outer: 1, r: 20, inner: 6 }]);
    expect(reduceSteps([4, 1, 5], [1])).toEqual([]);
  });

  it('splits a long r over few columns into chunks that cover it exactly, and keeps wide reductions in one pass', () => {
    const p = planReducePass(1, 300_000, 1);
    expect(p.tx).toBe(1);
    expect(p.nchunks).toBeGreaterThan(16);
    expect(p.nchunks * p.chunk).toBeGreaterThanOrEqual(300_000);
    expect((p.nchunks - 1) * p.chunk).toBeLessThan(300_000);
    const cols = planReducePass(1, 1000, 3);
    expect([cols.tx, cols.ty, cols.nchunks]).toEqual([4, 64, 1]);
    expect(planReducePass(1000, 4096, 1000).nchunks).toBe(1);
    expect(planReducePass(1, 300_000, 1, false).nchunks).toBe(1);
  });

  it('gives a short r one thread per column (no tree), and keeps at least two warps per workgroup', () => {
    // A weight gradient's 15 partials: each thread sums one column of 15, 256 columns per workgroup.
    expect(planReducePass(1, 15, 589_824)).toMatchObject({ tx: 256, ty: 1, nchunks: 1, workgroups: 2304 });
    // A long r beside wide columns: 32 coalesced columns, 8 rows striding over r.
    expect(planReducePass(1, 4096, 1000)).toMatchObject({ tx: 32, ty: 8 });
    // A row sum of 100 (the last axis): 64 threads, not 256 mostly idle ones.
    expect(planReducePass(1024, 100, 1)).toMatchObject({ tx: 1, ty: 64, workgroups: 1024 });
    expect(planReducePass(1, 3, 5)).toMatchObject({ tx: 8, ty: 8 });
  });

  it('simplifies permutations to the fewest moving dimensions', () => {
    expect(simplifyPermutation([2, 3, 4, 5], [0, 1, 3, 2])).toEqual({ shape: [6, 4, 5], dims: [0, 2, 1] });
    expect(simplifyPermutation([2, 1, 3], [2, 1, 0])).toEqual({ shape: [2, 3], dims: [1, 0] });
    expect(simplifyPermutation([2, 3, 4], [1, 2, 0])).toEqual({ shape: [2, 12], dims: [1, 0] });
    expect(simplifyPermutation([2, 3, 4], [0, 1, 2])).toEqual({ shape: [24], dims: [0] });
    expect(simplifyPermutation([2, 3, 4, 5], [3, 1, 0, 2])).toEqual({ shape: [2, 3, 4, 5], dims: [3, 1, 0, 2] });
  });
});

describe('argument errors, before any GPU work', () => {
  // A runtime with no GPU: any dispatch or allocation would throw a TypeError, not the error expected here.
  const fakeRt = { scopes: [] } as unknown as Runtime;
  const fake = (shape: number[], dtype: DType = 'f32') => new Tensor(new Storage(fakeRt, {} as GPUBuffer, 4), shape, dtype);

  it('names the op, the axis and the rank for a bad axis', () => {
    expect(() => sum(fake([2, 3]), 2)).toThrow(/^sum: axis 2 is out of range for a tensor of rank 2/);
    expect(() => mean(fake([2, 3]), [0, -3])).toThrow(ArgumentError);
    expect(() => max(fake([2, 3]), [1, -1])).toThrow(/repeat an axis/);
    expect(() => argmax(fake([2, 3]), 1.5)).toThrow(/^argmax: axis 1.5/);
  });

  it('takes f32 only, one axis for argmax/argmin, and refuses extrema of empty slices', () => {
    expect(() => sum(fake([3], 'i32'))).toThrow(DTypeError);
    expect(() => argmin(fake([3], 'u32'))).toThrow(/^argmin: reductions take f32/);
    expect(() => argmax(fake([2, 3]), [0, 1] as unknown as number)).toThrow(/one axis/);
    expect(() => min(fake([2, 0]), 1)).toThrow(/^min: cannot reduce over zero elements/);
    expect(() => argmax(fake([0]))).toThrow(ArgumentError);
  });

  it('refuses dims that are not a permutation', () => {
    expect(() => permute(fake([2, 3]), [0, 0])).toThrow(/^permute: dims \[0, 0\] are not a permutation/);
    expect(() => permute(fake([2, 3]), [0])).toThrow(ArgumentError);
    expect(() => permute(fake([2, 3]), [0, 2])).toThrow(/rank 2/);
    expect(() => transpose(fake([4]))).toThrow(/^transpose: axis -2 is out of range for a tensor of rank 1/);
    const nine = [2, 3, 2, 3, 2, 3, 2, 3, 2];
    expect(() => permute(fake(nine), [8, 7, 6, 5, 4, 3, 2, 1, 0])).toThrow(/at most 8/);
  });
});
