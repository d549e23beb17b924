import { describe, expect, it } from 'vitest';
import {
  commandFromUrl, DEFAULT_OPTIONS, INIT_KINDS, flagOf, keyOfFlag, OPTION_KEYS, optionsFromQuery, optionsToArgs, optionsToQuery, replanKeys, resolveOptions, studioUrl,
  type SessionOptions,
} from '../../app/session/options.js';
import { buildSchedule } from '../../app/session/optimizer.js';
import { parseCli } from '../../scripts/train-options.js';
import { ArgumentError } from '../../src/errors.js';
import { INIT_SCHEMES } from '../../src/nn/init.js';

const setup: Partial<SessionOptions> = {
  model: 'mlp', hidden: [128, 64], activation: 'tanh', init: 'he', dropout: 0.25, batchNorm: true, optimizer: 'momentum', lr: 0.02, momentum: 0.8,
  l2: 1e-4, schedule: 'cosine', warmup: 20, batchSize: 32, epochs: 3, subset: 500, valFraction: 0.2, seed: 7,
};

describe('session options', () => {
  it('fill defaults and check every value, naming the key and the rule', () => {
    expect(resolveOptions()).toEqual(DEFAULT_OPTIONS);
    expect(() => resolveOptions({ batchSize: 513 })).toThrow(/session: batchSize must be an integer from 1 to 512, got 513/);
    expect(() => resolveOptions({ lr: -1 })).toThrow(ArgumentError);
    expect(() => resolveOptions({ hidden: [0] })).toThrow(/hidden must be a comma-separated list of positive integers/);
    expect(() => resolveOptions({ model: 'resnet' as never })).toThrow(/model must be one of logreg, mlp, lenet5, vgg, alexnet, got resnet/);
    expect(() => resolveOptions({ colour: 1 } as never)).toThrow(/unknown option 'colour'/);
  });

  it('round-trip through a Studio query string, writing only what differs from the defaults', () => {
    const o = resolveOptions(setup);
    const q = optionsToQuery(o);
    expect(q).toContain('hidden=128,64');
    expect(q).not.toContain('beta1');
    expect(optionsFromQuery(q)).toEqual(o);
    expect(optionsToQuery(resolveOptions())).toBe('');
    expect(studioUrl(o)).toBe(`http://localhost:5173/studio/?${q}`);
  });

  it('reject a malformed URL value, or report it and keep the default when asked to', () => {
    expect(() => optionsFromQuery('?epochs=two')).toThrow(/epochs must be an integer ≥ 1, got two/);
    const warnings: string[] = [];
    expect(optionsFromQuery('?epochs=two&lr=0.5&hide=model', (m) => warnings.push(m))).toEqual(resolveOptions({ lr: 0.5 }));
    expect(warnings).toEqual(['session: epochs must be an integer ≥ 1, got two']);
  });

  it('map a Studio URL to the CLI command that parses back to the same options', () => {
    const o = resolveOptions(setup);
    const cmd = commandFromUrl(studioUrl(o));
    expect(cmd.startsWith('npm run train -- --model mlp --hidden 128,64')).toBe(true);
    const cli = parseCli(cmd.split(' ').slice(4), '/repo');
    if (cli === 'help') throw new Error('expected options');
    expect(cli.options).toEqual(o);
    expect(optionsToArgs(o)).toContain('--batch-norm');
  });

  it('list the same init schemes as the library', () => {
    expect(INIT_KINDS).toEqual(INIT_SCHEMES);
  });

  it('name flags after keys and back', () => {
    expect(flagOf('batchSize')).toBe('--batch-size');
    expect(flagOf('beta1')).toBe('--beta1');
    for (const k of OPTION_KEYS) expect(keyOfFlag(flagOf(k))).toBe(k);
    expect(keyOfFlag('--node')).toBeUndefined();
  });

  it('tell which changes need a new session and which are live', () => {
    const built = resolveOptions({ ...setup });
    expect(replanKeys(built, { ...built, lr: 0.1, l2: 0, momentum: 0.5, dropout: 0 })).toEqual([]);
    // Epochs are live unless the cosine schedule spans them.
    expect(replanKeys(built, { ...built, epochs: 5 })).toEqual(['epochs']);
    expect(replanKeys({ ...built, schedule: 'step' }, { ...built, schedule: 'step', epochs: 5 })).toEqual([]);
    expect(replanKeys(built, { ...built, hidden: [128], batchSize: 64, optimizer: 'adam' })).toEqual(['hidden', 'optimizer', 'batchSize']);
    const plain = resolveOptions({ ...setup, dropout: 0, momentum: 0 });
    expect(replanKeys(plain, { ...plain, dropout: 0.1, momentum: 0.9 })).toEqual(['dropout', 'momentum']);
    // Adam ignores momentum: changing it is no re-plan.
    const adam = resolveOptions({ optimizer: 'adam', momentum: 0 });
    expect(replanKeys(adam, { ...adam, momentum: 0.5 })).toEqual([]);
  });

  it('build each learning-rate schedule over the run', () => {
    const lr = (o: Partial<SessionOptions>, step: number) => buildSchedule(resolveOptions({ epochs: 2, ...o }), 10)(step, 0.1);
    expect(lr({}, 15)).toBeCloseTo(0.1, 12);
    expect(lr({ schedule: 'power', power: 0.5 }, 3)).toBeCloseTo(0.1 / 2, 12);
    expect(lr({ schedule: 'step', stepEvery: 1, gamma: 0.5 }, 9)).toBeCloseTo(0.1, 12);
    expect(lr({ schedule: 'step', stepEvery: 1, gamma: 0.5 }, 10)).toBeCloseTo(0.05, 12);
    expect(lr({ schedule: 'cosine' }, 10)).toBeCloseTo(0.05, 12);
    expect(lr({ schedule: 'cosine' }, 20)).toBeCloseTo(0, 12);
    expect(lr({ warmup: 4 }, 0)).toBeCloseTo(0.1 / 3, 12);
    expect(lr({ warmup: 4 }, 4)).toBeCloseTo(0.1, 12);
  });
});
