import { beforeAll, describe, expect, it } from 'vitest';
import { DTypeError, matmul, ShapeError, tensor, type Activation, type Runtime } from '../../src/index.js';
import { MATMUL_TILES, type MatmulTile } from '../../kernels/matmul.js';
import { matmulWithTile } from '../../src/ops/matmul.js';
import { matmulErrorScale, matmulRef } from '../../src/reference/matmul.js';
import { ref } from '../../src/reference/ref-tensor.js';
import { sizeOf } from '../../src/shape.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng, TEST_SEED } from '../helpers/random.js';

let rt: Runtime;
const rng = new Rng();
beforeAll(async () => {
  rt = await testRuntime();
});

/*
 * Error bound. Inputs are f32 and the reference is float64 on the same values, so the difference is the
 * GPU's rounding alone. A K-term f32 dot product plus the bias, summed in any order with or without fma,
 * is within γ_{K+1}·S of the exact value, where S = Σ_k |a_ik·b_kj| + |bias_j| (from the reference),
 * γ_n = n·u/(1 − n·u), u = 2⁻²⁴ (Higham, Accuracy and Stability of Numerical Algorithms, §3.1). It is a
 * worst case, so it never fails for a correct kernel, yet it catches a wrong, missing or repeated term:
 * a term is S/K on average, larger than γ_{K+1}·S for every K ≤ 512 used here by a factor over 60.
 * The activation then moves that error by at most its Lipschitz constant L and adds its own evaluation
 * error: 0 for relu, one rounding for leakyRelu, and for exp/tanh-based ones WGSL allows a few ULP plus
 * 2 ULP per unit of |x| in exp, i.e. about EVAL_ULPS·u·(1 + |x|) in absolute terms.
 */
const U = 2 ** -24;
const EVAL_ULPS = 16;
const LIPSCHITZ: Record<Activation, number> = { none: 1, relu: 1, sigmoid: 0.25, tanh: 1, leakyRelu: 1, elu: 1, gelu: 1.13 };
const TRANSCENDENTAL: Record<Activation, boolean> = { none: false, relu: false, sigmoid: true, tanh: true, leakyRelu: false, elu: true, gelu: true };

interface Case {
  /** Shapes as stored (transposes apply to them). */
  a: number[];
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
  bias?: boolean;
  activation?: Activation;
  /** leakyRelu's slope or elu's α. */
  param?: number;
  /** A random gate of the output's shape (a quarter of it exactly 0, which must gate too). */
  gate?: boolean;
  /** Sum over groups of this many leading batch entries. */
  sumBatch?: number;
}

/** Every tile configuration: a case runs on all of them (whichever the op would pick for its shape) unless it names its tiles (`rotatedTiles`). */
const TILES = Object.keys(MATMUL_TILES) as MatmulTile[];

/**
 * Two neighbouring tile configurations for the i-th case of a sweep over epilogue variants (activation, gate,
 * sumBatch): the epilogue is one piece of WGSL that each tile only indexes differently, so a sweep checks every
 * variant on two tiles and every tile on its share of the variants, instead of the full cross product (each
 * variant × tile is a pipeline of about 3 s on SwiftShader). Loads, which tiles shape, keep the full product.
 */
function rotatedTiles(i: number): MatmulTile[] {
  return [TILES[i % TILES.length]!, TILES[(i + 1) % TILES.length]!];
}

function describeCase(c: Case, tile: MatmulTile): string {
  const flags = [c.transposeA && 'transposeA', c.transposeB && 'transposeB', c.bias && 'bias', c.gate && 'gate', c.sumBatch && `sumBatch ${c.sumBatch}`, c.activation, c.param !== undefined && `param ${c.param}`, `${tile} tiles`].filter(Boolean);
  return `matmul [${c.a}] · [${c.b}] (${flags.join(', ')})`;
}

/** Runs one case on fresh random inputs on every tile configuration and compares every element with the float64 reference. */
async function check(c: Case, tiles: readonly MatmulTile[] = TILES): Promise<void> {
  const aData = rng.uniform(sizeOf(c.a)), bData = rng.uniform(sizeOf(c.b));
  const N = c.transposeB ? c.b[c.b.length - 2]! : c.b[c.b.length - 1]!;
  const biasData = c.bias ? rng.uniform(N) : undefined;
  const param = c.activation === 'leakyRelu' ? { slope: c.param } : { alpha: c.param };
  const opts = { transposeA: c.transposeA, transposeB: c.transposeB, activation: c.activation, sumBatch: c.sumBatch, ...param };

  const a = tensor(aData, c.a, 'f32', rt), b = tensor(bData, c.b, 'f32', rt);
  const bias = biasData && tensor(biasData, [N], 'f32', rt);
  const outShape = matmulRef(ref(new Float64Array(sizeOf(c.a)), c.a), ref(new Float64Array(sizeOf(c.b)), c.b), opts).shape;
  const gateData = c.gate ? rng.uniform(sizeOf(outShape)).map((v, i) => (i % 4 === 1 ? 0 : v)) : undefined;
  const gate = gateData && tensor(gateData, outShape, 'f32', rt);
  const outs = tiles.map((tile) => matmulWithTile(a, b, { ...opts, bias, gate }, tile));
  const got = await Promise.all(outs.map((o) => o.toArray()));
  for (const t of [a, b, bias, gate, ...outs]) t?.dispose();

  const refOpts = { ...opts, bias: biasData && ref(biasData, [N]), gate: gateData && ref(gateData, outShape) };
  const want = matmulRef(ref(aData, c.a), ref(bData, c.b), refOpts);
  const scale = matmulErrorScale(ref(aData, c.a), ref(bData, c.b), refOpts);
  const act = c.activation ?? 'none';
  const pre = act === 'none' ? want : matmulRef(ref(aData, c.a), ref(bData, c.b), { ...refOpts, activation: 'none', slope: undefined, alpha: undefined });
  outs.forEach((o, t) => expect(o.shape, describeCase(c, tiles[t]!)).toEqual(want.shape));

  // Terms per output: K for each of the (up to sumBatch) batch entries summed into it.
  const K = (c.transposeA ? c.a[c.a.length - 2]! : c.a[c.a.length - 1]!) * (c.sumBatch ?? 1);
  const gamma = ((K + 1) * U) / (1 - (K + 1) * U);
  const L = LIPSCHITZ[act] * Math.max(1, Math.abs(c.param ?? 1));
  for (let i = 0; i < want.data.length; i++) {
    const z = pre.data[i]!, e = want.data[i]!;
    const evalErr = TRANSCENDENTAL[act] ? EVAL_ULPS * U * (1 + Math.abs(z)) * Math.max(1, Math.abs(c.param ?? 1)) : act === 'leakyRelu' ? U * Math.abs(e) : 0;
    const bound = L * gamma * scale.data[i]! + evalErr;
    tiles.forEach((tile, t) => {
      const err = Math.abs(got[t]![i]! - e);
      if (!(err <= bound)) {
        throw new Error(`${describeCase(c, tile)}: element ${i} is ${got[t]![i]}, expected ${e} (|err| ${err.toExponential(3)} > bound ${bound.toExponential(3)}; TEST_SEED=${TEST_SEED})`);
      }
    });
  }
}

const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;
/** Stored shapes of a and b for an M×K by K×N product with the given transposes. */
function shapes(M: number, K: number, N: number, ta: boolean, tb: boolean): { a: number[]; b: number[] } {
  return { a: ta ? [K, M] : [M, K], b: tb ? [N, K] : [K, N] };
}

describe('matmul on the GPU vs the float64 reference', () => {
  it('odd sizes (M×K×N)', async () => {
    for (const [M, K, N] of [[1, 1, 1], [3, 5, 7], [17, 65, 129], [65, 1, 33], [129, 128, 130]] as const) {
      await check({ a: [M, K], b: [K, N] });
    }
  });

  // One test per combination: each is 10 pipelines (two paths × every tile), about 10 s on SwiftShader alone, 3× that under CI load.
  it.each(TRANSPOSES)('transposeA %s, transposeB %s, on the scalar path (no dimension a multiple of 4) and the vec4 path (all are)', async (ta, tb) => {
    await check({ ...shapes(17, 65, 129, ta, tb), transposeA: ta, transposeB: tb });
    await check({ ...shapes(20, 32, 36, ta, tb), transposeA: ta, transposeB: tb });
  });

  it('vec4 reads of one operand and scalar reads of the other', async () => {
    await check({ a: [33, 8], b: [8, 9] });
    await check({ a: [33, 7], b: [7, 12] });
  });

  it('batched and broadcast batch dimensions', async () => {
    await check({ a: [3, 17, 33], b: [3, 33, 9] });
    await check({ a: [2, 1, 5, 6], b: [3, 6, 4] });
    await check({ a: [5, 6], b: [4, 6, 3] });
    await check({ a: [4, 5, 6], b: [6, 3] });
    await check({ a: [2, 3, 6, 5], b: [2, 1, 4, 6], transposeA: true, transposeB: true });
  });

  it('bias and every activation in the epilogue (Linear: x·Wᵀ + b)', async () => {
    const acts: [Activation, number | undefined][] = [
      ['none', undefined], ['relu', undefined], ['sigmoid', undefined], ['tanh', undefined], ['leakyRelu', undefined],
      ['leakyRelu', 0.2], ['elu', undefined], ['elu', 0.5], ['gelu', undefined],
    ];
    // Both cases compile to the same variant (transposeB, bias, vec4 reads): one pipeline per activation and tile.
    for (const [i, [activation, param]] of acts.entries()) {
      await check({ a: [33, 20], b: [17, 20], transposeB: true, bias: true, activation, param }, rotatedTiles(i));
      await check({ a: [2, 9, 12], b: [8, 12], transposeB: true, bias: true, activation, param }, rotatedTiles(i));
    }
    // Bias alone on every tile.
    await check({ a: [33, 20], b: [17, 20], transposeB: true, bias: true });
  });

  it('a gate (ReLU backward in the product): zero where gate ≤ 0, the product elsewhere', async () => {
    for (const [i, [ta, tb]] of TRANSPOSES.entries()) await check({ ...shapes(17, 65, 129, ta, tb), transposeA: ta, transposeB: tb, gate: true }, rotatedTiles(i));
    await check({ a: [3, 17, 33], b: [3, 33, 9], gate: true }, rotatedTiles(4));
    // The gate on every tile (vec4 reads of both operands).
    await check({ a: [33, 20], b: [17, 20], transposeB: true, gate: true });
  });

  it('sums the products of consecutive leading batch entries (sumBatch), a partial last group included', async () => {
    // The first on every tile; the others on two each.
    await check({ a: [5, 17, 33], b: [5, 33, 9], sumBatch: 2 });
    await check({ a: [7, 3, 20, 6], b: [7, 3, 12, 20], transposeA: true, transposeB: true, sumBatch: 3 }, rotatedTiles(0));
    await check({ a: [5, 6], b: [4, 6, 3], sumBatch: 4 }, rotatedTiles(1));
    await check({ a: [3, 4, 5], b: [3, 5, 6], sumBatch: 8 }, rotatedTiles(2));
    await check({ a: [3, 9, 12], b: [8, 12], transposeB: true, bias: true, activation: 'relu', sumBatch: 2 }, rotatedTiles(3));
    await check({ a: [4, 2, 9, 12], b: [4, 2, 12, 8], gate: true, sumBatch: 3 }, rotatedTiles(4));
  });

  it('K = 0 gives activation(bias)', async () => {
    // The main loop never runs: what is left is the epilogue, checked on two tiles.
    await check({ a: [3, 0], b: [0, 5], bias: true, activation: 'sigmoid' }, rotatedTiles(2));
  });

  it('writes every output of partial tiles (the poisoned runtime fills fresh buffers with NaN)', async () => {
    // 129×130 ends one row and two columns past a multiple of every tile side up to 128 (partial tiles of a
    // single row), and part-way into the 256-long sides of 'wide' and 'tall'.
    await check({ a: [2, 129, 3], b: [3, 130] });
  });

  it('512×512×512', async () => {
    // The two square-problem tiles only: all four at this size cost ~18 s on the CPU emulator.
    await check({ a: [512, 512], b: [512, 512] }, ['small', 'large']);
  });

  // Not here: more workgroups than maxComputeWorkgroupsPerDimension (the runtime folds the count, the shader
  // unfolds it with linear_workgroup_id). A [65538, 1, 2]·[2, 1] product passed, but SwiftShader needs
  // about 4 ms per workgroup, five minutes for that one case.
});

describe('matmul argument checks', () => {
  it('throws before any GPU work', () => {
    const x = tensor(new Float32Array(6), [2, 3], 'f32', rt);
    const i = tensor(new Int32Array(6), [3, 2], 'i32', rt);
    const g = tensor(new Float32Array(4), [2, 2], 'f32', rt);
    const before = rt.stats.dispatches + rt.stats.uploads;
    expect(() => matmul(x, x)).toThrow(ShapeError);
    expect(() => matmul(x, i)).toThrow(DTypeError);
    expect(() => matmul(x, x, { transposeB: true, bias: x })).toThrow(/bias must have shape \[N\] = \[2\]/);
    expect(() => matmul(x, x, { transposeB: true, gate: x })).toThrow(/gate must have the output's shape \[2, 2\]/);
    expect(() => matmul(x, x, { transposeB: true, gate: g, activation: 'relu' })).toThrow(/gate takes no bias and no activation/);
    expect(rt.stats.dispatches + rt.stats.uploads).toBe(before);
    x.dispose();
    i.dispose();
    g.dispose();
  });
});
