import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSearchCli, parseSpace, UsageError } from '../../scripts/search-options.js';
import { gridConfigs } from '../../src/search/space.js';

const root = '/repo';

describe('npm run search flags', () => {
  it('parse the compact space syntax into ranges, choices and constants', () => {
    const space = parseSpace('lr=log:1e-4:1e-1:4, optimizer=sgd|adam, width=int:64:256:3, dropout=0.2, nesterov=true|false');
    expect(space).toEqual({
      lr: { kind: 'log', min: 1e-4, max: 1e-1, grid: 4 }, optimizer: ['sgd', 'adam'], width: { kind: 'int', min: 64, max: 256, grid: 3 }, dropout: 0.2, nesterov: [true, false],
    });
    expect(gridConfigs(space)).toHaveLength(4 * 2 * 3 * 2);
    expect(parseSpace('{"lr": {"kind": "uniform", "min": 0, "max": 1}}')).toEqual({ lr: { kind: 'uniform', min: 0, max: 1 } });
    expect(() => parseSpace('lr')).toThrow(/not KEY=RANGE/);
    expect(() => parseSpace('lr=log:1e-4')).toThrow(/log:MIN:MAX/);
    expect(() => parseSpace('lr=log:a:b')).toThrow(/with numbers/);
    expect(() => parseSpace('lr=0.1,lr=0.2')).toThrow(/given twice/);
    expect(() => parseSpace('{lr')).toThrow(/not valid JSON/);
  });

  it('default to a quick random search of the MLP and reject what cannot run', () => {
    const cli = parseSearchCli([], root);
    if (cli === 'help') throw new Error('expected options');
    expect(cli).toMatchObject({ model: 'mlp', search: 'random', trials: 8, epochs: 1, batchSize: 32, subset: 2000, valFraction: 0.2, metric: 'valAcc', concurrency: 8, memoryBudget: 2 ** 30, seed: 0 });
    expect(cli.out.startsWith(path.join(root, 'runs', ''))).toBe(true);
    expect(parseSearchCli(['--help'], root)).toBe('help');
    const grid = parseSearchCli(['--search', 'grid', '--space', 'lr=0.1|0.01', '--folds', '3', '--steps', '50'], root);
    if (grid === 'help') throw new Error('expected options');
    expect(grid).toMatchObject({ search: 'grid', folds: 3, steps: 50, epochs: undefined });
    expect(() => parseSearchCli(['--model', 'lenet5', '--space', 'width=64|128'], root)).toThrow(/width is not a training option or a lenet5 option/);
    expect(() => parseSearchCli(['--epochs', '1', '--steps', '5'], root)).toThrow(UsageError);
    expect(() => parseSearchCli(['--search', 'grid', '--trials', '5'], root)).toThrow(/--trials is for --search random/);
    expect(() => parseSearchCli(['--folds', '1'], root)).toThrow(/integer ≥ 2/);
    expect(() => parseSearchCli(['--folds', '3', '--val-fraction', '0.1'], root)).toThrow(/not both/);
    expect(() => parseSearchCli(['--concurrency', '0'], root)).toThrow(/positive integer/);
  });
});

describe('npm run train --find-lr', () => {
  it('asks for a range test of 100 steps by default, and checks its flags', async () => {
    const { parseCli } = await import('../../scripts/train-options.js');
    const plain = parseCli([], root);
    const found = parseCli(['--find-lr'], root);
    const steps = parseCli(['--find-lr', '--find-lr-steps', '250'], root);
    if (plain === 'help' || found === 'help' || steps === 'help') throw new Error('expected options');
    expect(plain.findLr).toBeUndefined();
    expect(found.findLr).toBe(100);
    expect(steps.findLr).toBe(250);
    expect(() => parseCli(['--find-lr-steps', '50'], root)).toThrow(/needs --find-lr/);
    expect(() => parseCli(['--find-lr', '--find-lr-steps', '1'], root)).toThrow(/integer ≥ 2/);
  });
});
