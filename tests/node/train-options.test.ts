import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runTraining } from '../../scripts/train-main.js';
import { checkDataDir, parseCli, UsageError } from '../../scripts/train-options.js';
import { FASHION_MNIST_FILES } from '../../src/data/fashion-mnist.js';

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

  it('stop at the first non-finite loss unless --allow-non-finite', () => {
    const on = parseCli([], root), off = parseCli(['--allow-non-finite'], root);
    if (on === 'help' || off === 'help') throw new Error('expected options');
    expect(on.allowNonFinite).toBe(false);
    expect(off.allowNonFinite).toBe(true);
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

describe('npm run train argument errors name the flag and what was expected', () => {
  const message = (argv: string[]) => {
    try {
      parseCli(argv, root);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return (e as Error).message;
    }
    throw new Error(`${argv.join(' ')} was accepted`);
  };

  it('negative and non-numeric values reach the value check (not parseArgs\'s "ambiguous")', () => {
    expect(message(['--epochs', '-1'])).toBe('--epochs must be a positive integer, got -1');
    expect(message(['--lr', '-0.1'])).toBe('--lr must be a positive number, got -0.1');
    expect(message(['--lr', '-.5'])).toBe('--lr must be a positive number, got -.5');
    expect(message(['--epochs', 'three'])).toBe('--epochs must be a positive integer, got three');
    expect(message(['--batch-size', '6.5'])).toBe('--batch-size must be a positive integer, got 6.5');
    expect(message(['--val-fraction', '1'])).toBe('--val-fraction must be at least 0 and below 1, got 1');
    expect(message(['--model', 'resnet'])).toBe('--model must be one of lenet5, mlp, logreg, vgg, alexnet, got resnet');
  });

  it('unknown flags, with a suggestion when one is close', () => {
    expect(message(['--epoch', '3'])).toBe('unknown flag --epoch (did you mean --epochs?)');
    expect(message(['--batchsize', '3'])).toBe('unknown flag --batchsize (did you mean --batch-size?)');
    expect(message(['--banana'])).toBe('unknown flag --banana');
    expect(message(['-x'])).toBe('unknown flag -x');
  });

  it('missing values, values given to switches, stray words', () => {
    expect(message(['--epochs'])).toBe('--epochs needs a value');
    expect(message(['--model', '--node'])).toBe('--model needs a value');
    expect(message(['--full=yes'])).toBe('--full takes no value');
    expect(message(['lenet5'])).toBe('unexpected argument lenet5: every setting is a flag (--name value)');
  });
});

describe('the data folder is checked before anything starts', () => {
  const files = (present: string[]) => (f: string) => present.includes(f);
  const all = ['/d', ...FASHION_MNIST_FILES.map((f) => path.join('/d', f))];

  it('accepts a folder with the four files', () => {
    expect(() => checkDataDir('/d', 'd', files(all))).not.toThrow();
  });

  it('--data that does not exist is named as given', () => {
    expect(() => checkDataDir('/work/nope', 'nope', files([]))).toThrow(new UsageError('--data nope: no such folder (/work/nope)'));
  });

  it('--data without the files lists the missing ones', () => {
    expect(() => checkDataDir('/d', 'd', files(all.filter((f) => !f.endsWith('t10k-labels-idx1-ubyte.gz')))))
      .toThrow(/^--data d: \/d lacks t10k-labels-idx1-ubyte\.gz \(it needs the four Fashion-MNIST files train-images-idx3-ubyte\.gz, /);
  });

  it('the default folder missing says how to install it', () => {
    const prev = process.env.FASHION_MNIST_DIR;
    delete process.env.FASHION_MNIST_DIR;
    try {
      expect(() => checkDataDir(undefined, undefined, files([])))
        .toThrow('Fashion-MNIST not found: /usr/share/datasets/fashion-mnist does not exist (apt-get install -y dataset-fashion-mnist, or give --data DIR)');
    } finally {
      if (prev !== undefined) process.env.FASHION_MNIST_DIR = prev;
    }
  });
});

describe('npm run train exits with the message, before starting a browser or dawn.node', () => {
  async function run(argv: string[]) {
    const errors: string[] = [];
    const logs: string[] = [];
    const err = vi.spyOn(console, 'error').mockImplementation((s: string) => void errors.push(s));
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void logs.push(s));
    let started = false;
    try {
      const code = await runTraining(argv, {
        root, command: 'npm run train --', reportAssets: null,
        runner: { describe: () => 'test', run: async () => { started = true; throw new Error('must not start'); } },
      });
      return { code, errors, logs, started };
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  }

  it('a bad value: exit 2, the message and where the flags are listed', async () => {
    const r = await run(['--epochs', '-1']);
    expect(r).toMatchObject({ code: 2, started: false });
    expect(r.errors).toEqual(['train: --epochs must be a positive integer, got -1\n(npm run train -- --help lists the flags)']);
  });

  it('a missing --data folder, on the browser path and the Node path alike', async () => {
    for (const extra of [[], ['--node']]) {
      const r = await run(['--data', '/nonexistent/fashion', ...extra]);
      expect(r).toMatchObject({ code: 2, started: false });
      expect(r.errors[0]).toBe('train: --data /nonexistent/fashion: no such folder (/nonexistent/fashion)\n(npm run train -- --help lists the flags)');
    }
  });

  it('--help prints the flags and exits 0', async () => {
    const r = await run(['--help']);
    expect(r).toMatchObject({ code: 0, started: false, errors: [] });
    expect(r.logs[0]).toMatch(/^Train a model on Fashion-MNIST[\s\S]*--epochs N[\s\S]*-h, --help/);
  });
});
