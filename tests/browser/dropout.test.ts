import { beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/index.js';
import { dropout, dropoutBackward } from '../../src/ops/dropout.js';
import { refDropout, refDropoutBackward, refDropoutMask } from '../../src/reference/dropout.js';
import { ref } from '../../src/reference/ref-tensor.js';
import { expectClose, expectEqual } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

beforeAll(async () => {
  await testRuntime();
});

/** x·f32(1/(1 − p)) rounds twice (the scale, then the product): |err| ≤ 2u·|y|. */
const SCALE_TOL = { rtol: 2 ** -23 };

/** A seed above 2³² (so both key words matter) and a step, fresh each run. */
function randomKey(rng: Rng): { seed: number; step: number } {
  return { seed: 2 ** 32 + Math.floor(rng.next() * 2 ** 40), step: Math.floor(rng.next() * 2 ** 32) };
}

describe('dropout', () => {
  it('keeps exactly the reference mask and scales by 1/(1 − p), forward and backward', async () => {
    const rng = new Rng();
    for (const [n, p] of [[1, 0.5], [7, 0.3], [1001, 0.3], [4099, 0.75]] as const) {
      const opts = { p, ...randomKey(rng) };
      // No zeros in x, so y ≠ 0 exactly where the element was kept.
      const data = rng.uniform(n, 0.5, 1.5);
      const y = await dropout(tensor(data), opts).toArray();
      const mask = refDropoutMask(n, opts);
      expectEqual(Array.from(y, (v) => (v !== 0 ? 1 : 0)), mask, `mask n ${n} p ${p}`);
      expectClose(y, refDropout(ref(data, [n]), opts).data, SCALE_TOL, `dropout n ${n} p ${p}`);
      const dy = rng.uniform(n);
      const dx = await dropoutBackward(tensor(dy), opts).toArray();
      expectClose(dx, refDropoutBackward(ref(dy, [n]), opts).data, SCALE_TOL, `dropoutBackward n ${n} p ${p}`);
    }
  });

  it('the same seed and step repeat the mask; another step or seed gives another', async () => {
    const rng = new Rng();
    const n = 1001;
    const x = tensor(rng.uniform(n, 0.5, 1.5));
    const opts = { p: 0.3, ...randomKey(rng) };
    const a = await dropout(x, opts).toArray();
    expectEqual(await dropout(x, opts).toArray(), a, 'same seed and step');
    // Two independent masks differ at a fraction 2p(1 − p) = 0.42 of the elements (420 ± 16 here).
    const differ = (b: ArrayLike<number>) => Array.from(a).filter((v, i) => (v === 0) !== (b[i] === 0)).length;
    expect(differ(await dropout(x, { ...opts, step: (opts.step + 1) % 2 ** 32 }).toArray())).toBeGreaterThan(n / 4);
    expect(differ(await dropout(x, { ...opts, seed: opts.seed + 1 }).toArray())).toBeGreaterThan(n / 4);
  });

  it('drops a fraction within 5 standard errors of p', async () => {
    const rng = new Rng();
    const n = 1 << 16;
    const x = tensor(new Float32Array(n).fill(1));
    for (const p of [0.1, 0.5]) {
      const y = await dropout(x, { p, ...randomKey(rng) }).toArray();
      const rate = y.filter((v) => v === 0).length / n;
      expect(Math.abs(rate - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it('p = 0 returns a copy in a new buffer, p = 1 returns x·0', async () => {
    const data = Float32Array.of(1.5, -2, 3, NaN, 7);
    const x = tensor(data);
    const y = dropout(x, { p: 0, seed: 1, step: 0 });
    expect(y.buffer().buffer).not.toBe(x.buffer().buffer);
    expectEqual(await y.toArray(), data);
    expectEqual(await dropout(x, { p: 1, seed: 1, step: 0 }).toArray(), [0, -0, 0, NaN, 0]);
    expectEqual(await dropoutBackward(x, { p: 0, seed: 1, step: 0 }).toArray(), data);
  });
});
