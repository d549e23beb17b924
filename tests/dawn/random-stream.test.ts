// RandomStream (src/ops/random-stream.ts): call k gives Philox stream k of the seed, eagerly and in every replay of
// a compiled step, against the float64 reference (src/reference/philox.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, compile, randn, RandomStream, type Runtime } from '../../src/index.js';
import { refRand, refRandn } from '../../src/reference/philox.js';
import { expectClose } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

/**
 * Box-Muller in f32: WGSL lets cos/sin err by 2⁻¹¹ absolute, times a radius √(−2 ln u) ≤ 5.8 (u ≥ 2⁻²⁴), plus log and
 * sqrt rounding: 4e-3 per unit of std (SwiftShader measured ≤ 2e-4).
 */
const NORMAL_ATOL = 4e-3;

let rt: Runtime;
beforeAll(async () => { rt = await testRuntime(); });

describe('RandomStream', () => {
  it('call k eagerly equals stream k of the seed (uniform and normal), and call 0 equals randn with that seed', async () => {
    const rng = new Rng();
    const seed = Math.floor(rng.next() * 2 ** 40), n = 37;
    const u = new RandomStream([n], { seed, distribution: 'uniform', low: -2, high: 3 }, rt);
    const g = new RandomStream([n], { seed, mean: 0.5, std: 2 }, rt);
    for (let k = 0; k < 3; k++) {
      const a = u.next(), b = g.next();
      // f32 rounding of low + (high − low)·u: a few ulps of 3.
      expectClose(await a.toArray(), refRand(n, seed, k, -2, 3), { rtol: 0, atol: 8 * 2 ** -23 * 4 }, `uniform stream ${k} (seed ${seed})`);
      expectClose(await b.toArray(), refRandn(n, seed, k, 0.5, 2), { rtol: 0, atol: NORMAL_ATOL * 2 }, `normal stream ${k} (seed ${seed})`);
      a.dispose();
      b.dispose();
    }
    const first = new RandomStream([n], { seed }, rt);
    const x = first.next(), y = randn([n], { seed }, rt);
    expect(await x.toArray()).toEqual(await y.toArray());
    for (const t of [x, y]) t.dispose();
    for (const s of [u, g, first]) s.dispose();
  });

  it('inside a compiled step every replay draws the next stream', async () => {
    const n = 5, seed = 11;
    const s = new RandomStream([n], { seed }, rt);
    const step = compile(() => s.next(), { runtime: rt });
    const outs = [step(), step(), step(), step()];
    const values = await Promise.all(outs.map((t) => t.toArray()));
    values.forEach((v, k) => expectClose(v, refRandn(n, seed, k), { rtol: 0, atol: NORMAL_ATOL }, `replay ${k}`));
    expect(values[1]).not.toEqual(values[2]);
    outs.forEach((t) => t.dispose());
    step.dispose();
    s.dispose();
  });

  it('refuses bad options before any GPU work', () => {
    expect(() => new RandomStream([2], { seed: -1 }, rt)).toThrow(ArgumentError);
    expect(() => new RandomStream([2], { seed: 1, std: -1 }, rt)).toThrow(/std must be ≥ 0/);
    expect(() => new RandomStream([2], { seed: 1, distribution: 'poisson' as never }, rt)).toThrow(/'normal' or 'uniform'/);
  });
});
