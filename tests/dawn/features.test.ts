import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, features, mlp, nearestNeighbors, noGrad, seed, ShapeError, tensor, type Runtime } from '../../src/index.js';
import { refCosineTopK } from '../../src/reference/neighbors.js';
import { expectClose } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

/** f32 dot products of D ≤ 17 unit-scale values, norms and a division: |err| well under 1e-5 on a similarity in [−1, 1]. */
const SIM_TOL = { rtol: 0, atol: 1e-5 };

describe('nearestNeighbors (cosine top-k on the GPU)', () => {
  it('matches the float64 reference; indices agree wherever the reference order is not a near-tie', async () => {
    const rng = new Rng();
    for (const [q, g, d, k] of [[5, 1031, 17, 7], [1, 3, 1, 3], [17, 65, 3, 1]] as const) {
      const qs = rng.uniform(q * d), gs = rng.uniform(g * d);
      const { indices, scores } = nearestNeighbors(tensor(qs, [q, d]), tensor(gs, [g, d]), k);
      const got = await indices.toArray() as Int32Array, gotScores = await scores.toArray() as Float32Array;
      const want = refCosineTopK(Float64Array.from(qs), Float64Array.from(gs), d, k);
      expectClose(gotScores, want.scores, SIM_TOL, `scores ${q}×${g}×${d} k ${k}`);
      for (let r = 0; r < q; r++) {
        const row = Array.from(got.subarray(r * k, r * k + k));
        expect(new Set(row).size, 'distinct').toBe(k);
        const sim = want.sims[r]!;
        for (let t = 0; t < k; t++) {
          expectClose([sim[row[t]!]!], [want.scores[r * k + t]!], SIM_TOL, `row ${r} rank ${t}: the similarity of the index picked`);
          const gapBefore = t === 0 ? Infinity : want.scores[r * k + t - 1]! - want.scores[r * k + t]!;
          const gapAfter = want.scores[r * k + t]! - (t + 1 < g ? [...sim].sort((a, b) => b - a)[t + 1]! : -Infinity);
          if (gapBefore > 2e-5 && gapAfter > 2e-5) expect(row[t], `row ${r} rank ${t}`).toBe(want.indices[r * k + t]);
        }
      }
    }
  });

  it('breaks exact ties by the lower gallery index, handles zero vectors, refuses bad input before GPU work', async () => {
    const rng = new Rng();
    const d = 9, g = 601;
    const gs = rng.uniform(g * d);
    const v = rng.uniform(d);
    // Exact copies and a power-of-two multiple: bit-identical similarities of 1.
    for (const [j, s] of [[400, 1], [3, 1], [77, 2], [250, 0.5]] as const) gs.set(v.map((x) => x * s), j * d);
    gs.fill(0, 10 * d, 11 * d);
    const { indices, scores } = nearestNeighbors(tensor(v, [1, d]), tensor(gs, [g, d]), 5);
    expect(Array.from(await indices.toArray()).slice(0, 4)).toEqual([3, 77, 250, 400]);
    const s = await scores.toArray();
    expect(s[0]).toBe(s[3]);
    const zero = nearestNeighbors(tensor(new Float32Array(d), [1, d]), tensor(gs, [g, d]), 2);
    // A zero query: every similarity is 0 (PyTorch's eps), so the first two indices.
    expect(Array.from(await zero.indices.toArray())).toEqual([0, 1]);
    expect(Array.from(await zero.scores.toArray())).toEqual([0, 0]);
    const a = tensor(new Float32Array(6), [2, 3]), b = tensor(new Float32Array(8), [2, 4]);
    const before = rt.stats.dispatches;
    expect(() => nearestNeighbors(a, a, 3)).toThrow(/k must be an integer in \[1, 2\]/);
    expect(() => nearestNeighbors(a, b, 1)).toThrow(ShapeError);
    expect(() => nearestNeighbors(a.reshape([6]), a, 1)).toThrow(ShapeError);
    expect(rt.stats.dispatches).toBe(before);
  });
});

describe('features(model, upTo)', () => {
  it('gives the output of any layer (a fused activation after the cut left out) and leaves the model as it was', async () => {
    const rng = new Rng();
    seed(5);
    const model = mlp([12, 9, 7, 3]);   // Flatten, Linear, ReLU, Linear, ReLU, Linear
    model.eval();
    const x = tensor(rng.uniform(5 * 12), [5, 12]);
    const full = await model.forward(x).toArray();
    // Reference: each layer on its own (fusion off), on a twin with the same weights.
    seed(5);
    const twin = mlp([12, 9, 7, 3]);
    twin.fusion = false;
    for (const upTo of [1, 2, 3, 4, -1, -2]) {
      const got = await noGrad(() => features(model, upTo).forward(x)).toArray();
      let y = x;
      const last = upTo < 0 ? twin.layers.length + upTo : upTo;
      for (let i = 0; i <= last; i++) y = twin.at(i).forward(y);
      // Fused epilogue vs separate activation: the same f32 products, rounding order aside.
      expectClose(got, await y.toArray() as Float32Array, { rtol: 1e-5, atol: 1e-6 }, `layer ${upTo}`);
    }
    expect(Array.from(await features(model, 3).forward(x).toArray()).some((v) => v < 0), 'before the ReLU').toBe(true);
    expect(Array.from(await features(model, 4).forward(x).toArray()).every((v) => v >= 0), 'after it').toBe(true);
    expect(await model.forward(x).toArray(), 'the model still runs fused, unchanged').toEqual(full);
    expect(features(model, -2).parameters()).toEqual([]);
    expect(() => features(model, 6)).toThrow(ArgumentError);
    expect(() => features(model, 6)).toThrow(/no layer 6: this Sequential has 6 layers/);
  });
});
