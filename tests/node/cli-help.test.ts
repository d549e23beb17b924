import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BenchUsageError, HELP, parseBenchArgs } from '../../bench/cli.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('--help prints and exits, for every command', () => {
  it('npm run bench -- --help and each sub-command\'s --help: the text, exit 0, nothing started', () => {
    const cases = [[['--help'], HELP.main], [['-h'], HELP.main], [['overhead', '--help'], HELP.overhead], [['browser', '--help'], HELP.browser],
      [['gpu', '-h'], HELP.gpu], [['profile', '--help', '--model', 'vgg'], HELP.profile]] as const;
    for (const [args, text] of cases) expect(parseBenchArgs(args).help).toBe(text);
    // The entry point itself (each spawn costs a Node start): the main text and a sub-command's.
    for (const [args, text] of [cases[0], cases[5]]) {
      const r = node(['bench/run.mjs', ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toBe(`${text}\n`);
      expect(r.stdout).not.toContain('=== bench');
    }
    for (const t of Object.values(HELP)) expect(t).toMatch(/--out DIR/);
  });

  it('npm run train -- --help', () => {
    const r = node(['scripts/train.mjs', '--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Train a model on Fashion-MNIST with wgsl-nn[\s\S]*-h, --help/);
  });
});

describe('npm run bench argument errors name the flag and what was expected', () => {
  const message = (argv: string[]) => {
    try {
      parseBenchArgs(argv);
    } catch (e) {
      expect(e).toBeInstanceOf(BenchUsageError);
      return (e as Error).message;
    }
    throw new Error(`${argv.join(' ')} was accepted`);
  };

  it('accepts what the README and bench/README use', () => {
    expect(parseBenchArgs([])).toEqual({ commands: ['overhead', 'browser'], rest: [], help: undefined });
    expect(parseBenchArgs(['--build-only']).commands).toEqual(['gpu']);
    expect(parseBenchArgs(['gpu', '--tiles', 'all', '--sizes=1024,2048', '--out', '/tmp/x']))
      .toEqual({ commands: ['gpu'], rest: ['--tiles', 'all', '--sizes', '1024,2048', '--out', '/tmp/x'], help: undefined });
    expect(parseBenchArgs(['profile', '--model', 'lenet5', '--batch', '64']).rest).toEqual(['--model', 'lenet5', '--batch', '64']);
  });

  it('refuses unknown commands and flags, bad and missing values, flags of another command', () => {
    expect(message(['overheads'])).toBe('unknown command overheads: use overhead, browser, gpu, profile, playground, search, studio (npm run bench -- --help)');
    expect(message(['overhead', '--quik'])).toBe('unknown flag --quik (npm run bench -- overhead --help lists the flags)');
    expect(message(['--repeats', '-1'])).toBe('--repeats must be a positive integer, got -1');
    expect(message(['--repeats', 'x'])).toBe('--repeats must be a positive integer, got x');
    expect(message(['--sizes', '256,abc'])).toBe('--sizes must be a comma-separated list of positive integers (e.g. 256,1024), got 256,abc');
    expect(message(['--out'])).toBe('--out needs a value: a folder');
    expect(message(['--out', '--quick'])).toBe('--out needs a value: a folder');
    expect(message(['profile', '--model', 'alexnet'])).toBe('--model must be one of mlp, lenet5, vgg, got alexnet');
    expect(message(['profile', '--quick'])).toBe('--quick is a flag of overhead, browser, gpu, not of profile');
    expect(message(['overhead', '--tiles', 'all'])).toBe('--tiles is a flag of gpu, not of overhead');
    expect(message(['--quick=1'])).toBe('--quick takes no value');
  });

  it('an error exits 2 before anything is built', () => {
    const r = node(['bench/run.mjs', '--epochs', '3']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('bench: unknown flag --epochs (npm run bench -- --help lists the flags)\n');
    expect(r.stdout).toBe('');
  });
});
