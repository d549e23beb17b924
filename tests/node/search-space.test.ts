import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { choice, gridConfigs, gridValues, intRange, logUniform, randomConfigs, uniform } from '../../src/search/space.js';
import { gridSearch, randomSearch } from '../../src/search/search.js';
import { suggest } from '../../src/search/lr-finder.js';
import { TEST_SEED } from '../helpers/random.js';

describe('search space', () => {
  it('grid search enumerates exactly its grid, in order, last key fastest', async () => {
    const space = { lr: logUniform(1e-3, 1e-1, 3), optimizer: ['sgd', 'adam'], width: intRange(2, 4), dropout: 0.5 };
    expect(gridValues(space.lr, "lr")).toEqual([1e-3, expect.closeTo(1e-2, 15), 1e-1]);
    const configs = gridConfigs(space);
    expect(configs).toHaveLength(3 * 2 * 3);
    expect(configs[0]).toEqual({ lr: 1e-3, optimizer: 'sgd', width: 2, dropout: 0.5 });
    expect(configs[1]).toEqual({ lr: 1e-3, optimizer: 'sgd', width: 3, dropout: 0.5 });
    expect(configs[3]).toEqual({ lr: 1e-3, optimizer: 'adam', width: 2, dropout: 0.5 });
    // Every combination exactly once.
    const keys = new Set(configs.map((c) => JSON.stringify(c)));
    expect(keys.size).toBe(18);
    const seen: string[] = [];
    const r = await gridSearch({ space, objective: (c) => { seen.push(JSON.stringify(c)); return 0; } });
    expect(seen).toEqual(configs.map((c) => JSON.stringify(c)));
    expect(r.table).toHaveLength(18);
  });

  it('uniform grids include both ends; an int grid of n points dedupes; a single point is the (log) middle', () => {
    expect(gridValues(uniform(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(gridValues(intRange(1, 3, 5))).toEqual([1, 2, 3]);
    expect(gridValues(logUniform(1e-4, 1e-2, 1))[0]).toBeCloseTo(1e-3, 15);
  });

  it('random draws stay in range, are log-uniform on a log scale, and repeat with the seed', () => {
    const space = { lr: logUniform(1e-5, 1e-1), m: uniform(0.5, 0.99), k: intRange(1, 3), opt: choice(['sgd', 'adam']) };
    const a = randomConfigs(space, 4000, TEST_SEED % 1000);
    expect(randomConfigs(space, 4000, TEST_SEED % 1000)).toEqual(a);
    expect(randomConfigs(space, 5, TEST_SEED % 1000 + 1)).not.toEqual(a.slice(0, 5));
    for (const c of a) {
      expect(c.lr as number).toBeGreaterThanOrEqual(1e-5);
      expect(c.lr as number).toBeLessThanOrEqual(1e-1);
      expect([1, 2, 3]).toContain(c.k);
      expect(['sgd', 'adam']).toContain(c.opt);
    }
    // Log-uniform: each decade gets about a quarter (4 decades); 4000 draws, binomial sd ≈ 27, bound 5 sd.
    for (let d = -5; d < -1; d++) {
      const n = a.filter((c) => Math.log10(c.lr as number) >= d && Math.log10(c.lr as number) < d + 1).length;
      expect(Math.abs(n - 1000)).toBeLessThan(140);
    }
  });

  it('random search finds the known optimum of a synthetic objective', async () => {
    // Minimum 0 at lr = 1e-2.5, l2 = 0.3, optimizer adam. With ~1000 adam trials over the 5 × 4 scaled box, a
    // trial within 0.3 of the optimum (which meets both bounds below) is missing with probability e^-14.
    const objective = (c: Record<string, unknown>) => (Math.log10(c.lr as number) + 2.5) ** 2 + (((c.l2 as number) - 0.3) * 4) ** 2 + (c.optimizer === 'adam' ? 0 : 1);
    const r = await randomSearch({ space: { lr: logUniform(1e-5, 1), l2: uniform(0, 1), optimizer: ['sgd', 'adam'] }, trials: 2000, seed: TEST_SEED % 1000, objective });
    expect(r.best!.config.optimizer).toBe('adam');
    expect(Math.abs(Math.log10(r.best!.config.lr as number) + 2.5)).toBeLessThan(0.3);
    expect(Math.abs((r.best!.config.l2 as number) - 0.3)).toBeLessThan(0.08);
    // Sorted best first.
    for (let i = 1; i < r.table.length; i++) expect(r.table[i]!.score).toBeGreaterThanOrEqual(r.table[i - 1]!.score);
    // goal 'max' of the negated objective finds the same trial.
    const m = await randomSearch({ space: { lr: logUniform(1e-5, 1), l2: uniform(0, 1), optimizer: ['sgd', 'adam'] }, trials: 2000, seed: TEST_SEED % 1000, objective: (c) => -objective(c), goal: 'max' });
    expect(m.best!.index).toBe(r.best!.index);
  });

  it('a trial whose objective is NaN/Inf is marked diverged and ranked last, not best', async () => {
    const r = await gridSearch({ space: { lr: [1, 10, 100, 0.1] }, objective: (c) => ((c.lr as number) >= 10 ? ((c.lr as number) === 10 ? NaN : Infinity) : (c.lr as number)) });
    expect(r.best!.config.lr).toBe(0.1);
    expect(r.table.map((t) => t.status)).toEqual(['done', 'done', 'diverged', 'diverged']);
    expect(r.table.slice(2).map((t) => t.config.lr)).toEqual([10, 100]);
  });

  it('bad spaces get clear errors', () => {
    expect(() => gridConfigs({})).toThrow(ArgumentError);
    expect(() => gridConfigs({ lr: logUniform(1e-3, 1e-1) })).toThrow(/needs 'grid'/);
    expect(() => randomConfigs({ lr: logUniform(0, 1) }, 3)).toThrow(/log scale needs min > 0/);
    expect(() => randomConfigs({ lr: uniform(1, 0) }, 3)).toThrow(/min ≤ max/);
    expect(() => randomConfigs({ k: intRange(0.5, 2) }, 3)).toThrow(/integer bounds/);
    expect(() => randomConfigs({ o: [] }, 3)).toThrow(/at least one value/);
    expect(() => randomConfigs({ lr: 0.1 }, 0)).toThrow(/trials must be a positive integer/);
  });
});

describe('learning-rate suggestion', () => {
  it('is a tenth of the minimum\'s learning rate; the steepest descent before the minimum is given too', () => {
    const lrs = Array.from({ length: 50 }, (_, i) => 1e-6 * 10 ** (i / 7));
    // A loss that falls fastest around lr = 1e-3 (logistic in log10 lr), minimum near 1e-1, then blows up.
    const loss = lrs.map((lr) => 2 - 1.5 / (1 + Math.exp(-3 * (Math.log10(lr) + 3))) + (lr > 0.1 ? (Math.log10(lr) + 1) ** 2 : 0));
    const s = suggest(lrs, loss);
    expect(Math.abs(Math.log10(s.steepestLr) + 3)).toBeLessThan(1 / 7 + 1e-9);
    expect(Math.abs(Math.log10(s.minLossLr) + 1)).toBeLessThan(2 / 7);
    expect(s.suggestedLr).toBeCloseTo(s.minLossLr / 10, 15);
    expect(suggest([1, 2], [NaN, NaN]).suggestedLr).toBeNaN();
    expect(suggest([1, 2, 3], [1, 2, 3]).suggestedLr).toBeNaN();
  });
});
