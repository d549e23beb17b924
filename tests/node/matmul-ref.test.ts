import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError } from '../../src/errors.js';
import { matmulVariant, planMatmul, type MatmulOperand } from '../../src/ops/matmul.js';
import { activationRef, matmulErrorScale, matmulRef } from '../../src/reference/matmul.js';
import { ref } from '../../src/reference/ref-tensor.js';
import { chooseTile, MATMUL_TILES, matmulParams, matmulSpecialization, matmulKernel, tileExtent, tileWorkgroupBytes, type MatmulTile } from '../../kernels/matmul.js';

const A = ref([1, 2, 3, 4], [2, 2]);
const B = ref([5, 6, 7, 8], [2, 2]);
const f32 = (...shape: number[]): MatmulOperand => ({ shape, dtype: 'f32' });

describe('matmul reference', () => {
  it('multiplies 2×2 matrices in every transpose combination', () => {
    expect(Array.from(matmulRef(A, B).data)).toEqual([19, 22, 43, 50]);
    expect(Array.from(matmulRef(A, B, { transposeA: true }).data)).toEqual([26, 30, 38, 44]);
    expect(Array.from(matmulRef(A, B, { transposeB: true }).data)).toEqual([17, 23, 39, 53]);
    expect(Array.from(matmulRef(A, B, { transposeA: true, transposeB: true }).data)).toEqual([23, 31, 34, 46]);
  });

  it('handles non-square shapes', () => {
    const c = matmulRef(ref([1, 2, 3, 4, 5, 6], [2, 3]), ref([1, 0, -1], [3, 1]));
    expect(c.shape).toEqual([2, 1]);
    expect(Array.from(c.data)).toEqual([-2, -2]);
  });

  it('broadcasts batch dimensions, including a 2-D operand against a 3-D one', () => {
    // a: [2,1,1,2] holds rows (1 2) and (3 4); b: [3,2,1] holds columns (1 1), (1 0), (0 1).
    const c = matmulRef(ref([1, 2, 3, 4], [2, 1, 1, 2]), ref([1, 1, 1, 0, 0, 1], [3, 2, 1]));
    expect(c.shape).toEqual([2, 3, 1, 1]);
    expect(Array.from(c.data)).toEqual([3, 1, 2, 7, 3, 4]);
    const d = matmulRef(ref([1, 2], [1, 2]), ref([1, 2, 3, 4], [2, 2, 1]));
    expect(d.shape).toEqual([2, 1, 1]);
    expect(Array.from(d.data)).toEqual([5, 11]);
  });

  it('adds the bias per column, then applies the activation', () => {
    const I = ref([1, 0, 0, 1], [2, 2]);
    const bias = ref([-2, -5], [2]);
    expect(Array.from(matmulRef(A, I, { bias }).data)).toEqual([-1, -3, 1, -1]);
    expect(Array.from(matmulRef(A, I, { bias, activation: 'relu' }).data)).toEqual([0, 0, 1, 0]);
    const leaky = matmulRef(A, I, { bias, activation: 'leakyRelu', slope: 0.1 }).data;
    [-0.1, -0.3, 1, -0.1].forEach((v, i) => expect(leaky[i]).toBeCloseTo(v, 12));
    // Default slope 0.01.
    expect(matmulRef(A, I, { bias, activation: 'leakyRelu' }).data[0]).toBeCloseTo(-0.01, 12);
  });

  it('evaluates each activation', () => {
    expect(activationRef(0, 'sigmoid', 0)).toBe(0.5);
    expect(activationRef(Math.log(3), 'sigmoid', 0)).toBeCloseTo(0.75, 14);
    expect(activationRef(Math.log(2), 'tanh', 0)).toBeCloseTo(0.6, 14);  // (4 − 1)/(4 + 1)
    expect(activationRef(-1, 'elu', 2)).toBeCloseTo(2 * (Math.exp(-1) - 1), 14);
    expect(activationRef(3, 'elu', 2)).toBe(3);
    expect(activationRef(-2, 'relu', 0)).toBe(0);
    expect(activationRef(-2, 'none', 0)).toBe(-2);
    // GELU, tanh approximation (PyTorch's gelu(x, approximate='tanh')): 0.841192 at 1, 0 at 0, ≈ x for large x.
    expect(activationRef(1, 'gelu', 0)).toBeCloseTo(0.841192, 6);
    expect(activationRef(0, 'gelu', 0)).toBe(0);
    expect(activationRef(10, 'gelu', 0)).toBeCloseTo(10, 12);
  });

  it('sums the products of consecutive leading batch entries with sumBatch (bias once per output)', () => {
    // a: 5 entries of [1×1] (1, 2, 3, 4, 5); b: the same 2-D [1×2] (1 10) for every entry.
    const a = ref([1, 2, 3, 4, 5], [5, 1, 1]), b = ref([1, 10], [1, 2]);
    const c = matmulRef(a, b, { sumBatch: 2, bias: ref([100, 0], [2]) });
    expect(c.shape).toEqual([3, 1, 2]);
    expect(Array.from(c.data)).toEqual([103, 30, 107, 70, 105, 50]);
    // The leading dimension sums, the next one is kept: [3, 2] entries of 1×1 times 1×1 ones.
    const d = matmulRef(ref([1, 2, 3, 4, 5, 6], [3, 2, 1, 1]), ref([1], [1, 1]), { sumBatch: 2 });
    expect(d.shape).toEqual([2, 2, 1, 1]);
    expect(Array.from(d.data)).toEqual([1 + 3, 2 + 4, 5, 6]);
    expect(Array.from(matmulErrorScale(ref([-1, 2], [2, 1, 1]), ref([3], [1, 1]), { sumBatch: 2 }).data)).toEqual([9]);
  });

  it('gives the error scale Σ|a·b| + |bias|', () => {
    const s = matmulErrorScale(ref([1, -2], [1, 2]), ref([3, 4], [2, 1]), { bias: ref([-1], [1]), activation: 'tanh' });
    expect(Array.from(s.data)).toEqual([12]);
  });
});

describe('matmul shape rules and errors', () => {
  it('checks sumBatch', () => {
    expect(planMatmul(f32(7, 2, 3), f32(3, 4), { sumBatch: 3 }).outShape).toEqual([3, 2, 4]);
    expect(planMatmul(f32(7, 2, 3), f32(3, 4), { sumBatch: 3 }).sum).toEqual({ zsum: 3, zlen: 7, zrest: 1 });
    expect(planMatmul(f32(7, 5, 2, 3), f32(3, 4), { sumBatch: 8 }).sum).toEqual({ zsum: 8, zlen: 7, zrest: 5 });
    expect(() => planMatmul(f32(2, 3), f32(3, 4), { sumBatch: 2 })).toThrow('matmul: sumBatch 2 needs a batch dimension to sum over; got shapes [2, 3], [3, 4]');
    expect(() => planMatmul(f32(2, 2, 3), f32(3, 4), { sumBatch: 0 })).toThrow('matmul: sumBatch must be a positive integer, got 0');
    expect(() => planMatmul(f32(2, 2, 3), f32(3, 4), { sumBatch: 1.5 })).toThrow(ArgumentError);
  });

  it('names the layout in the inner-dimension rule, with transposes reflected', () => {
    expect(() => planMatmul(f32(2, 3), f32(4, 5))).toThrow(ShapeError);
    expect(() => planMatmul(f32(2, 3), f32(4, 5))).toThrow('matmul: inner dimensions must match: a[..., M, K] · b[..., K, N]; got shapes [2, 3], [4, 5]');
    expect(() => planMatmul(f32(3, 2), f32(5, 4), { transposeA: true, transposeB: true })).toThrow('a[..., K, M] · b[..., N, K]');
    expect(() => matmulRef(ref([1, 2], [1, 2]), ref([1, 2], [1, 2]))).toThrow(ShapeError);
  });

  it('rejects vectors, non-broadcastable batches and a bias of the wrong shape', () => {
    expect(() => planMatmul(f32(3), f32(3, 2))).toThrow(/at least 2 dimensions \(reshape/);
    expect(() => planMatmul(f32(2, 3, 4), f32(3, 4, 5))).toThrow(/batch dimensions \[2\] and \[3\] must broadcast/);
    expect(() => planMatmul(f32(2, 3), f32(3, 4), { bias: f32(1, 4) })).toThrow(/bias must have shape \[N\] = \[4\]; got shapes \[2, 3\], \[3, 4\], \[1, 4\]/);
    expect(() => planMatmul(f32(2, 3), f32(3, 4), { bias: f32(3) })).toThrow(ShapeError);
  });

  it('rejects non-f32 dtypes, unknown activations and a misplaced alpha', () => {
    expect(() => planMatmul({ shape: [2, 2], dtype: 'i32' }, f32(2, 2))).toThrow(DTypeError);
    expect(() => planMatmul(f32(2, 2), f32(2, 2), { bias: { shape: [2], dtype: 'u32' } })).toThrow(/f32; got dtypes f32, f32, u32/);
    expect(() => planMatmul(f32(2, 2), f32(2, 2), { activation: 'swish' as never })).toThrow(ArgumentError);
    expect(() => planMatmul(f32(2, 2), f32(2, 2), { activation: 'swish' as never })).toThrow(/unknown activation 'swish'/);
    expect(() => planMatmul(f32(2, 2), f32(2, 2), { activation: 'relu', alpha: 0.2 })).toThrow(/alpha applies to activation 'elu' only/);
    expect(() => planMatmul(f32(2, 2), f32(2, 2), { activation: 'elu', slope: 0.2 })).toThrow(/slope applies to activation 'leakyRelu' only/);
    expect(() => planMatmul(f32(2, 2), f32(2, 2), { activation: 'elu', alpha: NaN })).toThrow(/alpha must be a finite number/);
  });

  it('resolves output shape, default alpha and collapsed batch strides', () => {
    const p = planMatmul(f32(2, 3, 4, 5), f32(5, 6), { activation: 'elu' });
    expect(p).toMatchObject({ outShape: [2, 3, 4, 6], M: 4, N: 6, K: 5, batch: 6, param: 1 });
    // Both batch dimensions step through a evenly and b not at all: one dimension of 6.
    expect(p.dims).toEqual([[6, 20, 0]]);
    expect(planMatmul(f32(4, 2, 3), f32(4, 3, 2)).dims).toEqual([[4, 6, 6]]);
    const q = planMatmul(f32(2, 1, 5, 6), f32(3, 6, 4));
    expect(q.outShape).toEqual([2, 3, 5, 4]);
    expect(q.dims).toEqual([[2, 30, 0], [3, 0, 24]]);
    expect(planMatmul(f32(1, 5, 6), f32(1, 6, 4)).dims).toEqual([]);
    expect(planMatmul(f32(2, 2), f32(2, 2), { activation: 'leakyRelu' }).param).toBe(0.01);
    expect(planMatmul(f32(2, 2), f32(2, 2), { activation: 'elu', alpha: 0.5 }).param).toBe(0.5);
  });

  it('refuses batch patterns with more dimensions than the kernel walks', () => {
    const alternating = (first: number) => Array.from({ length: 10 }, (_, i) => (i % 2 === first ? 2 : 1));
    expect(() => planMatmul(f32(...alternating(0), 2, 2), f32(...alternating(1), 2, 2))).toThrow(/reshape them/);
  });
});

describe('matmul kernel variants', () => {
  it('reads vec4s exactly where the contiguous dimension of the operand is a multiple of 4', () => {
    const variant = (a: number[], b: number[], transposeA: boolean, transposeB: boolean) => {
      const v = matmulVariant(planMatmul(f32(...a), f32(...b), { transposeA, transposeB }), { transposeA, transposeB }, 'small');
      return [v.vecA, v.vecB];
    };
    // a [M, K], b [K, N]: contiguous along K and N.
    expect(variant([3, 8], [8, 5], false, false)).toEqual([true, false]);
    expect(variant([3, 7], [7, 4], false, false)).toEqual([false, true]);
    // a [K, M], b [N, K]: contiguous along M and K.
    expect(variant([7, 4], [5, 7], true, true)).toEqual([true, false]);
    expect(variant([8, 3], [5, 8], true, true)).toEqual([false, true]);
    // K = 0: empty operands are never read as vec4.
    expect(variant([4, 0], [0, 4], false, false)).toEqual([false, false]);
  });

  it('switches to 128×128 tiles once they fill a large GPU', () => {
    expect(chooseTile(1, 512, 512)).toBe('small');
    expect(chooseTile(1, 4096, 4096)).toBe('large');
    expect(chooseTile(16, 512, 512)).toBe('large');
    // Not where 128×128 tiles pad more: a 64-channel convolution's 64 × HW products at batch 128.
    expect(chooseTile(128, 64, 1024)).toBe('small');
    expect(chooseTile(128, 128, 1024)).toBe('large');
    expect(chooseTile(1, 4000, 4000)).toBe('large');
  });

  it('fits skinny products with skinny tiles, by least padded area', () => {
    // LeNet-5, batch 64 (conv.ts's products): conv1/conv2 forward, C_out × HW (+ bias row in K)…
    expect(chooseTile(64, 6, 784)).toBe('wide');
    expect(chooseTile(64, 16, 100)).toBe('wide');
    // …conv2's weight gradient, C_out × taps, and its input gradient, taps × HW (fits 64×64 best).
    expect(chooseTile(64, 16, 150)).toBe('wide');
    expect(chooseTile(64, 150, 100)).toBe('small');
    // A classifier's logits, batch × classes, and their weight gradient.
    expect(chooseTile(1, 256, 10)).toBe('tall');
    expect(chooseTile(1, 10, 84)).toBe('wide');
    // 17 rows pad to 32 on 16-row tiles, still less than 64.
    expect(chooseTile(1, 17, 1024)).toBe('wide');
    // However many tiles there are: 'large' only replaces 'small'.
    expect(chooseTile(4096, 6, 784)).toBe('wide');
    expect(chooseTile(4096, 784, 6)).toBe('tall');
  });

  it('prefers the square 64×64 tile where the skinny ones pad as much', () => {
    // 6×25 (conv1's weight gradient) fills 150 of 4096 outputs on any of them; 64×64 loads the fewest operands.
    expect(chooseTile(64, 6, 25)).toBe('small');
    expect(chooseTile(1, 1, 1)).toBe('small');
    expect(chooseTile(1, 64, 10)).toBe('small');
    expect(chooseTile(1, 16, 64)).toBe('small');
  });

  it('keeps every tile configuration within the shader\'s constraints', () => {
    for (const [name, t] of Object.entries(MATMUL_TILES) as [MatmulTile, (typeof MATMUL_TILES)[MatmulTile]][]) {
      expect(t.wgM * t.wgN, name).toBe(256);
      // Powers of 2 from 4 to 64: warps are at most 8 threads wide and need WG_M ≥ 32 / min(WG_N, 8).
      for (const w of [t.wgM, t.wgN]) expect([4, 8, 16, 32, 64], name).toContain(w);
      // vec4 shared-memory reads of each thread's 4-row/column blocks, vec4 global reads along k.
      for (const d of [t.tm, t.tn, t.bk]) expect(d % 4, name).toBe(0);
      // Load units (scalar or vec4) per thread: whole, or fewer units than threads (a single guarded load).
      const { bm, bn } = tileExtent(name);
      for (const units of [bm * t.bk, bm * t.bk / 4, bn * t.bk, bn * t.bk / 4]) {
        expect(units % 256 === 0 || 256 % units === 0, `${name}: ${units} load units`).toBe(true);
      }
      // Shared tiles [bk][bm + 4] and [bk][bn + 4] fit WebGPU's default 16 KiB of workgroup storage, except
      // 'largeDeep' (used only where the device allows it: its 16.5 KiB fits the common 32 KiB).
      expect(tileWorkgroupBytes(name), name).toBe(t.bk * (bm + 4 + bn + 4) * 4);
      expect(tileWorkgroupBytes(name), name).toBeLessThanOrEqual(name === 'largeDeep' ? 32768 : 16384);
    }
    // Nothing picks the deep tile by itself.
    for (const [b, m, n] of [[1, 4096, 4096], [128, 256, 2304], [1, 17, 9]]) expect(chooseTile(b!, m!, n!)).not.toBe('largeDeep');
  });

  it('specializes only const/alias lines the shader has, and packs the uniform like its Params', () => {
    const spec = matmulSpecialization({ tile: 'large', transposeA: true, transposeB: false, vecA: true, vecB: false, activation: 'gelu', bias: true, gate: false });
    const src = matmulKernel.specialize(spec);
    expect(src).toContain('alias AUnit = vec4f;');
    expect(src).toContain('const TM = 8u;');
    expect(src).toContain('const WG_M = 16u;');
    expect(matmulKernel.specialize(matmulSpecialization({ tile: 'wide', transposeA: false, transposeB: false, vecA: false, vecB: false, activation: 'none', bias: false, gate: true })))
      .toMatch(/const WG_M = 4u;[\s\S]*const WG_N = 64u;[\s\S]*const BK = 8u;/);
    expect(src).toContain('const ACT = 6u;');
    expect(src).toContain('const GATE = false;');
    const words = matmulParams(3, 4, 5, [[2, 20, 0]], 7, 0.5, { zsum: 2, zlen: 3, zrest: 4 });
    expect(words.byteLength).toBe(48 + 16 * 8);
    expect(Array.from(words.slice(0, 16))).toEqual([3, 4, 5, 1, 7, 0x3f000000, 2, 3, 4, 0, 0, 0, 2, 20, 0, 0]);
  });
});
