import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/ops/elementwise.js';
import { rand, tensor, where, type Runtime, type Tensor } from '../../src/index.js';
import type { AnyTypedArray } from '../../src/dtype.js';
import { refBinary, refUnary, refWhere, type RefBinaryOp, type RefUnaryOp } from '../../src/reference/elementwise.js';
import { ref, type RefTensor } from '../../src/reference/ref-tensor.js';
import { expectClose, expectEqual, type Tolerance } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

/** One unit in the last place of an f32, relative: k ULP ≤ k·2⁻²³·|value|. */
const ULP = 2 ** -23;
const EXACT: Tolerance = { rtol: 0 };
/** Unary ops run odd sizes one f32 per thread, multiples of 4 one vec4 per thread. */
const SIZES = [1, 3, 4, 17, 65, 129, 1001, 1024];

async function check(y: Tensor, expected: RefTensor, tol: Tolerance, what: string): Promise<void> {
  expect(y.shape, `${what}: shape`).toEqual(expected.shape);
  expectClose(await y.toArray(), expected.data, tol, what);
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Random f32 values as a GPU tensor and its float64 reference (the same f32 values). */
function input(data: AnyTypedArray, shape: readonly number[]): [Tensor, RefTensor] {
  return [tensor(data, shape), ref(data, shape)];
}

/**
 * Unary bounds from WGSL's accuracy table (§ floating-point accuracy), not from what SwiftShader happens to
 * reach: exp 3 + 2|x| ULP (inputs in [−4, 4]: 11 ULP); log 3 ULP, or absolute 2⁻²¹ on [0.5, 2]; inverseSqrt
 * 2 ULP; sqrt as 1/inverseSqrt (2 + 2.5 ULP). sigmoid = 1/(1 + exp(−x)) on [−8, 8]: exp's 19 ULP shrink
 * through 1 + e, plus the add and the 2.5-ULP division: < 23 ULP. tanh is exp-based in WGSL (sinh/cosh), so
 * its error is absolute near 0: 2·(3 + 2·3) ULP of 1 where |x| ≤ 3; past that it saturates, and past the
 * clamp at 10 it must round to ±1.
 */
const UNARY: Record<RefUnaryOp, { lo: number; hi: number; tol: Tolerance }> = {
  neg: { lo: -4, hi: 4, tol: EXACT },
  abs: { lo: -4, hi: 4, tol: EXACT },
  relu: { lo: -4, hi: 4, tol: EXACT },
  exp: { lo: -4, hi: 4, tol: { rtol: 11 * ULP } },
  log: { lo: 0.01, hi: 100, tol: { rtol: 3 * ULP, atol: 2 ** -21 } },
  sqrt: { lo: 0.01, hi: 100, tol: { rtol: 4.5 * ULP } },
  rsqrt: { lo: 0.01, hi: 100, tol: { rtol: 2 * ULP } },
  sigmoid: { lo: -8, hi: 8, tol: { rtol: 23 * ULP } },
  tanh: { lo: -12, hi: 12, tol: { rtol: 2 * ULP, atol: 18 * ULP } },
};

/**
 * Binary bounds: WGSL rounds +, −, × correctly (we allow 1 ULP in case of round-toward-zero devices), ÷ to
 * 2.5 ULP for divisors in [2⁻¹²⁶, 2¹²⁶]. pow is exp2(y·log2 x): with x in [0.25, 4] and |y| ≤ 3, |y·log2 x| ≤ 6,
 * log2 is off by ≤ 2⁻²¹ + 3 ULP of 2, so y·log2 x by ≤ 3·(2⁻²¹ + 2⁻²⁰) + ½ ULP of 6 ≈ 4.4e-6, which exp2
 * turns into ln2·4.4e-6 relative, plus its own 15 ULP: < 5e-6. Comparisons, max and min are exact.
 */
const BINARY: Record<RefBinaryOp, Tolerance> = {
  add: { rtol: ULP }, sub: { rtol: ULP }, mul: { rtol: ULP }, div: { rtol: 2.5 * ULP }, pow: { rtol: 5e-6 },
  maximum: EXACT, minimum: EXACT,
  equal: EXACT, notEqual: EXACT, less: EXACT, lessEqual: EXACT, greater: EXACT, greaterEqual: EXACT,
};
const BINARY_OPS = Object.keys(BINARY) as RefBinaryOp[];

/** Operands in each op's domain: pow gets a positive base, div a divisor away from 0, comparisons ties. */
function binaryInputs(rng: Rng, op: RefBinaryOp, na: number, nb: number): [Float32Array, Float32Array] {
  if (op === 'pow') return [rng.uniform(na, 0.25, 4), rng.uniform(nb, -3, 3)];
  if (op === 'div') return [rng.uniform(na), rng.uniform(nb, 0.5, 2).map((v, i) => (i % 2 ? -v : v))];
  // Small integers as f32: a and b are often equal, so ==, <= and >= see ties.
  if (op !== 'add' && op !== 'sub' && op !== 'mul') return [Float32Array.from(rng.int(na, -3, 4)), Float32Array.from(rng.int(nb, -3, 4))];
  return [rng.uniform(na), rng.uniform(nb)];
}

function binaryOp(op: RefBinaryOp): (a: Tensor | number, b: Tensor | number) => Tensor {
  return nn[op];
}

describe('unary ops', () => {
  it('match the float64 reference on sizes 1…1024 and a 3-D shape (bounds per op above)', async () => {
    const rng = new Rng();
    for (const [op, { lo, hi, tol }] of Object.entries(UNARY) as [RefUnaryOp, (typeof UNARY)[RefUnaryOp]][]) {
      for (const shape of [...SIZES.map((n) => [n]), [3, 5, 7], [4, 4, 2]]) {
        const [x, rx] = input(rng.uniform(size(shape), lo, hi), shape);
        await check(nn[op](x), refUnary(op, rx), tol, `${op} [${shape}]`);
      }
    }
  });

  it('relu keeps NaN (exact); tanh of large inputs rounds to ±1 (half an f32 ULP of the exact value)', async () => {
    const [x, rx] = input(Float32Array.of(NaN, -1, 2, -0.5), [4]);
    await check(nn.relu(x), refUnary('relu', rx), EXACT, 'relu with NaN');
    const [big, rbig] = input(Float32Array.of(10.5, -11, 50, -1e30, 3e38), [5]);
    await check(nn.tanh(big), refUnary('tanh', rbig), { rtol: ULP / 2 }, 'tanh of large inputs');
  });

  it('run with more than 65,535 workgroups (grid folded into 2-D): the last elements are written (exact)', async () => {
    // Odd size: one element per thread, 256 threads per workgroup → 65,539 workgroups.
    const n = 65535 * 256 + 1001;
    const x = rand([n]);
    const y = nn.neg(x);
    const tail = 4096;
    const read = async (t: Tensor) => {
      const b = t.buffer('test');
      return new Float32Array(await rt.read('test', { buffer: b.buffer, offset: b.offset + (n - tail) * 4, size: tail * 4 }, tail * 4));
    };
    const [xs, ys] = [await read(x), await read(y)];
    expectEqual(ys, xs.map((v) => -v), 'neg of the last 4096 elements');
    x.dispose();
    y.dispose();
  });
});

describe('binary ops', () => {
  it('match the reference on same-shape inputs of sizes 1…1024 (plain index path; bounds per op above)', async () => {
    const rng = new Rng();
    for (const op of BINARY_OPS) {
      for (const n of SIZES) {
        const [da, db] = binaryInputs(rng, op, n, n);
        const [a, ra] = input(da, [n]), [b, rb] = input(db, [n]);
        await check(binaryOp(op)(a, b), refBinary(op, ra, rb), BINARY[op], `${op} [${n}]`);
      }
    }
  });

  it('broadcast by NumPy rules up to rank 8 (strided path; bounds per op above)', async () => {
    const rng = new Rng();
    const cases: [number[], number[]][] = [
      [[3, 1, 5], [4, 1]],
      [[4, 1], [3, 1, 5]],
      [[1], [7, 3]],
      [[2, 3, 4], [4]],
      [[17, 1], [1, 65]],
      [[], [3, 2]],
      [[2, 1, 3, 1, 5], [1, 4, 1, 3, 1]],
      [[2, 1, 2, 1, 2, 1, 2, 1], [1, 3, 1, 3, 1, 3, 1, 3]],
    ];
    for (const op of BINARY_OPS) {
      for (const [sa, sb] of cases) {
        const [da, db] = binaryInputs(rng, op, size(sa), size(sb));
        const [a, ra] = input(da, sa), [b, rb] = input(db, sb);
        await check(binaryOp(op)(a, b), refBinary(op, ra, rb), BINARY[op], `${op} [${sa}] ⊕ [${sb}]`);
      }
    }
  });

  it('take a JS number as either operand (uniform scalar path; bounds per op above)', async () => {
    const rng = new Rng();
    for (const op of BINARY_OPS) {
      for (const n of [3, 129]) {
        // Each operand drawn from its own domain (f32 values, so the number's bits are exact).
        const [da, [s]] = binaryInputs(rng, op, n, 1);
        const [a, ra] = input(da, [n]);
        await check(binaryOp(op)(a, s!), refBinary(op, ra, s!), BINARY[op], `${op}(x[${n}], ${s})`);
        const [[r], db] = binaryInputs(rng, op, 1, n);
        const [b, rb] = input(db, [n]);
        await check(binaryOp(op)(r!, b), refBinary(op, r!, rb), BINARY[op], `${op}(${r}, x[${n}])`);
      }
    }
  });

  it('pow follows NumPy on zero and negative bases (exact where the result is an integer, else 5e-6)', async () => {
    const [x, rx] = input(Float32Array.of(-2, -2, -8, 0, 0, 0, -3, 1.5, -0.5), [9]);
    const [y, ry] = input(Float32Array.of(3, 2, 1 / 3, 0, 2, -1, 0, 0, -2), [9]);
    await check(nn.pow(x, y), refBinary('pow', rx, ry), { rtol: 5e-6 }, 'pow edge cases');
  });

  it('maximum and minimum propagate NaN (exact)', async () => {
    const [a, ra] = input(Float32Array.of(NaN, 1, 2, -3, NaN), [5]);
    const [b, rb] = input(Float32Array.of(1, NaN, -2, 3, NaN), [5]);
    await check(nn.maximum(a, b), refBinary('maximum', ra, rb), EXACT, 'maximum with NaN');
    await check(nn.minimum(b, a), refBinary('minimum', rb, ra), EXACT, 'minimum with NaN');
    await check(nn.maximum(a, 0), refBinary('maximum', ra, 0), EXACT, 'maximum(x, 0) with NaN');
  });

  it('run i32 and u32 arithmetic and comparisons, with broadcasting and numbers (exact)', async () => {
    const rng = new Rng();
    const intOps: RefBinaryOp[] = ['add', 'sub', 'mul', 'maximum', 'minimum', 'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'];
    for (const op of intOps) {
      // i32: |values| < 100, so no product or sum overflows.
      const da = rng.int(3 * 4 * 5, -99, 100), db = rng.int(4 * 1, -99, 100);
      const a = tensor(da, [3, 4, 5]), b = tensor(db, [4, 1]);
      const y = binaryOp(op)(a, b);
      expect(y.dtype).toBe(op === 'add' || op === 'sub' || op === 'mul' || op === 'maximum' || op === 'minimum' ? 'i32' : 'f32');
      await check(y, refBinary(op, ref(da, [3, 4, 5]), ref(db, [4, 1])), EXACT, `i32 ${op}`);
      await check(binaryOp(op)(a, -7), refBinary(op, ref(da, [3, 4, 5]), -7), EXACT, `i32 ${op}(x, -7)`);
      // u32: b ≤ a keeps sub non-negative.
      const ua = Uint32Array.from(rng.int(65, 50, 100)), ub = Uint32Array.from(rng.int(65, 0, 51));
      await check(binaryOp(op)(tensor(ua), tensor(ub)), refBinary(op, ref(ua, [65]), ref(ub, [65])), EXACT, `u32 ${op}`);
    }
  });

  it('equal on i32 labels and predictions gives the f32 hit mask (exact)', async () => {
    const rng = new Rng();
    const labels = rng.int(1001, 0, 10), preds = labels.map((v, i) => (i % 3 ? v : (v + 1) % 10));
    const hits = nn.equal(tensor(preds), tensor(labels));
    expect(hits.dtype).toBe('f32');
    await check(hits, refBinary('equal', ref(preds, [1001]), ref(labels, [1001])), EXACT, 'i32 equal');
  });
});

describe('where', () => {
  it('selects by f32, i32 and u32 conditions with broadcasting, numbers, −0 and NaN (exact)', async () => {
    const rng = new Rng();
    const cases: [number[], number[], number[]][] = [
      [[129], [129], [129]],
      [[3, 1, 5], [4, 1], [5]],
      [[1], [7, 3], [3]],
      [[2, 1, 3, 1, 2, 1, 3, 1], [1, 2, 1, 3, 1, 2, 1, 3], [2, 1, 1, 1, 1, 1, 1, 1]],
    ];
    for (const [sc, sa, sb] of cases) {
      const c = rng.int(size(sc), -1, 2);
      const [a, ra] = input(rng.uniform(size(sa)), sa), [b, rb] = input(rng.uniform(size(sb)), sb);
      const what = `[${sc}] ? [${sa}] : [${sb}]`;
      await check(where(tensor(Float32Array.from(c), sc), a, b), refWhere(ref(c, sc), ra, rb), EXACT, `f32 cond ${what}`);
      await check(where(tensor(c, sc), a, b), refWhere(ref(c, sc), ra, rb), EXACT, `i32 cond ${what}`);
      const uc = Uint32Array.from(c, (v) => Math.abs(v));
      await check(where(tensor(uc, sc), a, 2.5), refWhere(ref(uc, sc), ra, 2.5), EXACT, `u32 cond ${what} : 2.5`);
    }
    const special = Float32Array.of(NaN, -0, 0, 1e-40, -2);
    const [x, rx] = input(rng.uniform(5), [5]);
    await check(where(tensor(special), x, -1), refWhere(ref(special, [5]), rx, -1), EXACT, 'NaN, −0, 0, subnormal, −2 conditions');
    const ia = rng.int(6, -50, 50);
    const yi = where(tensor(Float32Array.of(1, 0), [2, 1]), tensor(ia, [2, 3]), 7);
    expect(yi.dtype).toBe('i32');
    await check(yi, refWhere(ref([1, 0], [2, 1]), ref(ia, [2, 3]), 7), EXACT, 'i32 values');
  });
});

describe('empty tensors', () => {
  it('return a 0-size output of the broadcast shape without running a kernel', async () => {
    const before = rt.stats.dispatches;
    const a = tensor(new Float32Array(0), [0, 3]), b = tensor([[1, 2, 3]]);
    const afterInputs = rt.stats.dispatches;
    const ys = [nn.add(a, b), nn.exp(a), nn.less(a, 2), where(a, b, 0)];
    for (const y of ys) expect(y.shape).toEqual([0, 3]);
    expect(ys.map((y) => y.dtype)).toEqual(['f32', 'f32', 'f32', 'f32']);
    // The poisoned test runtime fills every new buffer with NaN (one dispatch each); nothing else may run.
    const perAllocation = (afterInputs - before) / 2;
    expect(rt.stats.dispatches - afterInputs).toBe(ys.length * perAllocation);
  });
});
