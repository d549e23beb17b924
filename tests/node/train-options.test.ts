import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../scripts/train-options.js';

const root = '/repo';

describe('npm run train flags', () => {
  it('default to the quick LeNet-5 run with a constant learning rate and the default data folder', () => {
    const prev = process.env.FASHION_MNIST_DIR;
    delete process.env.FASHION_MNIST_DIR;
    try {
      const cli = parseCli([], root);
      if (cli === 'help') throw new Error('expected options');
      expect(cli.options).toMatchObject({ model: 'lenet5', epochs: 1, batchSize: 64, optimizer: 'adam', lr: 1e-3, schedule: 'constant', subset: 2000 });
      expect(cli.testSubset).toBe(2000);
      expect(cli.dataDir).toBeUndefined();
      expect(cli.node).toBe(false);
      expect(cli.out.startsWith(path.join(root, 'runs', ''))).toBe(true);
    } finally {
      if (prev !== undefined) process.env.FASHION_MNIST_DIR = prev;
    }
  });

  it('take the full data set, a cosine schedule, a data folder and an output folder', () => {
    const cli = parseCli(['--full', '--model', 'vgg', '--schedule', 'cosine', '--data', 'fm', '--out', 'r', '--epochs', '15', '--node', '--checkpoint-every', '5'], root);
    if (cli === 'help') throw new Error('expected options');
    expect(cli.options).toMatchObject({ model: 'vgg', epochs: 15, schedule: 'cosine', subset: 0 });
    expect(cli.checkpointEvery).toBe(5);
    expect(cli.testSubset).toBeUndefined();
    expect(cli.dataDir).toBe(path.resolve('fm'));
    expect(cli.out).toBe(path.resolve('r'));
    expect(cli.node).toBe(true);
  });

  it('refuse contradictions and bad values, naming the flag', () => {
    expect(() => parseCli(['--full', '--subset', '10'], root)).toThrow(UsageError);
    expect(() => parseCli(['--schedule', 'linear'], root)).toThrow(/--schedule must be one of constant, power, step, cosine, got linear/);
    expect(() => parseCli(['--dropout', '1.5'], root)).toThrow(/^--dropout must be at least 0 and below 1, got 1.5$/);
    expect(() => parseCli(['--hidden', '12,x'], root)).toThrow(/^--hidden must be a comma-separated list of positive integers, got 12,x$/);
    expect(() => parseCli(['--activation', 'swish'], root)).toThrow(UsageError);
    expect(() => parseCli(['--epochs', '0'], root)).toThrow(/--epochs must be a positive integer/);
    expect(() => parseCli(['--checkpoint-every', '1.5'], root)).toThrow(/--checkpoint-every must be a positive integer/);
    expect(() => parseCli(['--subset', '60001'], root)).toThrow(/--subset must be an integer from 1 to 60000/);
    expect(parseCli(['--help'], root)).toBe('help');
  });

  it('take every session option under the Studio URL key, kebab-cased', () => {
    const cli = parseCli(['--model', 'mlp', '--hidden', '128,64', '--activation', 'tanh', '--init', 'xavier', '--dropout', '0.2', '--batch-norm',
      '--optimizer', 'nesterov', '--momentum', '0.8', '--l2', '0.0005', '--schedule', 'step', '--step-every', '2', '--gamma', '0.5', '--warmup', '10'], root);
    if (cli === 'help') throw new Error('expected options');
    expect(cli.options).toMatchObject({ model: 'mlp', hidden: [128, 64], activation: 'tanh', init: 'xavier', dropout: 0.2, batchNorm: true, optimizer: 'nesterov',
      lr: 0.01, momentum: 0.8, l2: 0.0005, schedule: 'step', stepEvery: 2, gamma: 0.5, warmup: 10 });
  });
});
