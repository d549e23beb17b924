// The Studio search's pure part (demo/studio/search-config.ts): a trial's configuration becomes a Studio setup (so
// "use this" is a plain setup change and a trial is the run the Studio would make), and a request the session could
// not run is refused with what is wrong, before the worker touches the GPU.
import { describe, expect, it } from 'vitest';
import { configToSetup, searchProblems, type SearchRequest } from '../../demo/studio/search-config.js';
import { DEFAULT_SETUP, setupProblems, type StudioSetup } from '../../demo/studio/setup.js';

const mlp: StudioSetup = { ...DEFAULT_SETUP, model: 'mlp', hidden: [64, 32], optimizer: 'sgd', lr: 0.05 };
const request = (over: Partial<SearchRequest> = {}): SearchRequest => ({
  space: { lr: { kind: 'log', min: 1e-3, max: 0.3 } }, mode: 'random', trials: 5, budget: { unit: 'steps', n: 20 }, metric: 'valLoss', ...over,
});

describe('Studio search configuration', () => {
  it('puts a trial\'s values into the setup; a hidden width applies to every hidden layer', () => {
    const s = configToSetup(mlp, { lr: 0.0123, optimizer: 'adam', hidden: 128, batchSize: 32, l2: 1e-4 });
    expect(s).toEqual({ ...mlp, lr: 0.0123, optimizer: 'adam', hidden: [128, 128], batchSize: 32, l2: 1e-4 });
    expect(setupProblems(s)).toEqual([]);
    // The base setup is not touched.
    expect(mlp.hidden).toEqual([64, 32]);
    expect(mlp.lr).toBe(0.05);
  });

  it('accepts a request the session can run', () => {
    expect(searchProblems(request(), mlp)).toEqual([]);
    expect(searchProblems(request({ mode: 'grid', space: { lr: { kind: 'log', min: 1e-3, max: 0.3, grid: 3 }, optimizer: { kind: 'choice', values: ['sgd', 'adam'] } } }), mlp)).toEqual([]);
  });

  it('refuses what the session could not run, naming the key, the value and the rule', () => {
    expect(searchProblems(request({ space: {} }), mlp)).toEqual(['pick at least one hyperparameter to search']);
    expect(searchProblems(request({ trials: 0 }), mlp)[0]).toMatch(/trials must be an integer from 1 to 64, got 0/);
    expect(searchProblems(request({ budget: { unit: 'epochs', n: 1.5 } }), mlp)[0]).toMatch(/positive whole number of epochs, got 1.5/);
    expect(searchProblems(request(), { ...mlp, valFraction: 0 })[0]).toMatch(/validation fraction above 0/);
    const bad = searchProblems(request({ space: { dropout: { kind: 'uniform', min: 0, max: 1 }, optimizer: { kind: 'choice', values: ['sgd', 'lbfgs'] } } }), mlp);
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(/^dropout = 1: .*below 1/);
    expect(bad[1]).toMatch(/^optimizer = lbfgs: .*one of sgd/);
    // A grid: continuous ranges need points, and at most 64 combinations.
    expect(searchProblems(request({ mode: 'grid' }), mlp)[0]).toMatch(/'lr'.*needs 'grid'/);
    const big = { kind: 'log', min: 1e-3, max: 1, grid: 9 } as const;
    expect(searchProblems(request({ mode: 'grid', space: { lr: big, l2: { ...big, min: 1e-6 } } }), mlp)[0]).toMatch(/the grid has 81 combinations; at most 64/);
  });
});
