import { beforeAll, describe, expect, it } from 'vitest';
import { ParamArena } from '../../src/arena.js';
import { Adam, AdamW, AdaGrad, cosineAnnealing, RMSProp, SGD, tensor, type Optimizer, type Runtime, type Tensor } from '../../src/index.js';
import { StackOptimizer, trialOptimizer } from '../../src/search/stack-optimizer.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

// The stacked update (shaders/optimizer-trials.wgsl) against each trial's own optimizer, in Chromium's WebGPU:
// every rule, per-trial hyperparameters and schedules, trial shares of odd sizes (150 and 7 elements: a vec4
// straddles two trials), bit for bit over several steps; a stopped trial stays where it was.
let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

const SIZES = [150, 7];
type Make = (p: Tensor[], t: number) => Optimizer;
const rules: [string, Make][] = [
  ['sgd', (p, t) => new SGD(p, { lr: [0.1, 0.03, 0.2][t]!, weightDecay: [0, 0.01, 0.1][t]! })],
  ['momentum', (p, t) => new SGD(p, { lr: 0.1, momentum: [0.9, 0.5, 0.99][t]!, dampening: [0, 0.1, 0.5][t]!, weightDecay: [1e-3, 0, 0.01][t]! })],
  ['nesterov', (p, t) => new SGD(p, { lr: [0.1, 0.05, 0.01][t]!, momentum: [0.9, 0.8, 0.7][t]!, nesterov: true, schedule: t === 1 ? cosineAnnealing(6) : undefined })],
  ['adam', (p, t) => new Adam(p, { lr: [0.01, 0.003, 0.03][t]!, betas: [[0.9, 0.999], [0.8, 0.99], [0.95, 0.9]][t] as [number, number], weightDecay: [0, 0.01, 0][t]!, schedule: t === 2 ? cosineAnnealing(6) : undefined })],
  ['adamw', (p, t) => new AdamW(p, { lr: [0.01, 0.02, 0.005][t]!, weightDecay: [0.01, 0.1, 0][t]! })],
  ['rmsprop centered, momentum', (p, t) => new RMSProp(p, { lr: [0.01, 0.001, 0.02][t]!, alpha: [0.99, 0.9, 0.5][t]!, momentum: [0.5, 0.9, 0.1][t]!, centered: true })],
  ['adagrad', (p, t) => new AdaGrad(p, { lr: [0.1, 0.5, 0.05][t]!, lrDecay: [0, 0.01, 0.1][t]!, weightDecay: [0, 0, 0.01][t]! })],
];

describe('StackOptimizer', () => {
  it.each(rules)('%s: each trial of a stack updates exactly as its own optimizer', async (_name, make) => {
    const T = 3, rng = new Rng();
    const alone = Array.from({ length: T }, () => SIZES.map((n) => tensor(rng.uniform(n), [n], 'f32', rt)));
    const opts = alone.map((p, t) => make(p, t));
    const arena = new ParamArena(rt, SIZES.map((n) => [T * n]));
    const stacked = new StackOptimizer(rt, arena, SIZES, opts.map((o) => trialOptimizer(o)!));
    // Trial t's share of parameter i is elements [t·n, (t + 1)·n) of the stacked one.
    const join = async (i: number) => {
      const n = SIZES[i]!, all = new Float32Array(T * n);
      for (let t = 0; t < T; t++) all.set((await alone[t]![i]!.toArray()) as Float32Array, t * n);
      return all;
    };
    for (let i = 0; i < SIZES.length; i++) {
      const values = await join(i);
      rt.upload('test', arena.params[i]!.buffer('test'), values);
    }
    const frozen: Float32Array[] = [];
    for (let step = 0; step < 5; step++) {
      // Trial 2 stops after 3 steps: from then on it must not move, whatever its gradient.
      if (step === 3) {
        stacked.stop(2);
        for (let i = 0; i < SIZES.length; i++) frozen.push(((await arena.params[i]!.toArray()) as Float32Array).slice(2 * SIZES[i]!));
      }
      stacked.zeroGrad();
      for (let t = 0; t < T; t++) opts[t]!.zeroGrad();
      for (let i = 0; i < SIZES.length; i++) {
        const n = SIZES[i]!, grads = rng.uniform(T * n, -2, 2);
        for (let t = 0; t < T; t++) alone[t]![i]!.grad = tensor(grads.slice(t * n, (t + 1) * n), [n], 'f32', rt);
        arena.params[i]!.grad = tensor(grads, [T * n], 'f32', rt);
      }
      stacked.step();
      for (let t = 0; t < T; t++) if (step < 3 || t < 2) opts[t]!.step();
      expect(stacked.lr(0)).toBe(opts[0]!.lr);
    }
    for (let i = 0; i < SIZES.length; i++) {
      const got = (await arena.params[i]!.toArray()) as Float32Array, n = SIZES[i]!;
      for (let t = 0; t < 2; t++) expect(Array.from(got.subarray(t * n, (t + 1) * n))).toEqual(Array.from((await alone[t]![i]!.toArray()) as Float32Array));
      expect(Array.from(got.subarray(2 * n))).toEqual(Array.from(frozen[i]!));
    }
    expect(stacked.lr(2)).toBe(0);
    stacked.dispose();
    arena.dispose();
    for (const o of opts) o.dispose();
  });
});
