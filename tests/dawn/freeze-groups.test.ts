import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdaGrad, Adam, AdamW, ArgumentError, BatchNorm1d, compile, cosineAnnealing, crossEntropy, freeze, Linear, loadModel, ParamArena,
  ReLU, RMSProp, saveModel, seed, Sequential, SGD, tensor, unfreeze, type Optimizer, type ParamGroup, type Runtime, type Tensor,
} from '../../src/index.js';
import { RefOptimizer } from '../../src/reference/optim.js';
import { expectClose } from '../helpers/compare.js';
import { stepFaultBinding } from '../../src/ops/step-fault.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

/** Sizes off the 64-element arena alignment, so every run boundary sits after padding. */
const SHAPES = [[3], [17], [65, 3], [1], [5, 7]];
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);

type Groups = readonly ParamGroup<Record<string, unknown>>[];
/** Each optimizer with two groups whose lr, weight decay (and momentum where there is one) differ. */
const CASES: [string, (groups: Groups, schedule?: ReturnType<typeof cosineAnnealing>) => Optimizer][] = [
  ['SGD', (g, schedule) => new SGD(g as never, { lr: 0.1, schedule })],
  ['SGD momentum + dampening', (g, schedule) => new SGD(g as never, { lr: 0.05, momentum: 0.9, dampening: 0.1, schedule })],
  ['SGD Nesterov', (g, schedule) => new SGD(g as never, { lr: 0.05, momentum: 0.9, nesterov: true, schedule })],
  ['AdaGrad', (g, schedule) => new AdaGrad(g as never, { lr: 0.1, lrDecay: 0.01, schedule })],
  ['RMSProp centered + momentum', (g, schedule) => new RMSProp(g as never, { lr: 0.01, momentum: 0.9, centered: true, schedule })],
  ['Adam', (g, schedule) => new Adam(g as never, { lr: 0.01, schedule })],
  ['AdamW', (g, schedule) => new AdamW(g as never, { lr: 0.01, schedule })],
];

describe('parameter groups (PyTorch param_groups) against float64 updates, 10 steps', () => {
  for (const [name, make] of CASES) {
    it(name, async () => {
      const rng = new Rng();
      const init0 = SHAPES.map((s) => rng.uniform(size(s)));
      const params = init0.map((d, i) => tensor(d, SHAPES[i]));
      // One arena in parameter order (as a model's), groups interleaved in it: 5 runs, 5 dispatches.
      new ParamArena(rt, params);
      const gentle = { params: [params[0]!, params[2]!, params[4]!], lr: 1e-3, weightDecay: 0.05, ...(name.startsWith('SGD ') || name.startsWith('RMS') ? { momentum: 0.5 } : {}) };
      const rest = { params: [params[1]!, params[3]!] };
      const schedule = cosineAnnealing(10, 1e-4);
      const opt = make([gentle, rest], schedule);
      expect(opt.groupConfigs).toHaveLength(2);
      const refs = [gentle, rest].map((g, k) => new RefOptimizer(opt.groupConfigs[k]!, g.params.map((p) => f64(init0[params.indexOf(p)]!)), { schedule }));
      stepFaultBinding(rt); // the runtime's step-fault record, which the update reads, is made once before counting
      let dispatches = 0;
      for (let t = 0; t < 10; t++) {
        const grads = params.map((p) => rng.uniform(p.size));
        params.forEach((p, i) => {
          p.grad?.dispose();
          p.grad = tensor(grads[i]!, p.shape);
        });
        const before = rt.stats.dispatches;
        opt.step();
        dispatches += rt.stats.dispatches - before;
        [gentle, rest].forEach((g, k) => refs[k]!.update(g.params.map((p) => f64(grads[params.indexOf(p)]!))));
      }
      expect(dispatches, 'one update dispatch per run of same-group parameters').toBe(10 * 5);
      expect(opt.groupLr(0)).toBeCloseTo(refs[0]!.lr, 12);
      expect(opt.groupLr(1)).toBeCloseTo(refs[1]!.lr, 12);
      for (const [k, g] of [gentle, rest].entries()) {
        for (const [j, p] of g.params.entries()) {
          // f32 against float64 over 10 steps of size-1 parameters moved by lr ≤ 0.1: a few ulps per op.
          expectClose(await p.toArray() as Float32Array, refs[k]!.params[j]!, { rtol: 1e-4, atol: 2e-5 }, `${name} group ${k} param ${j}`);
        }
      }
      opt.dispose();
    });
  }

  it('refuses groups that change the update rule, repeated parameters and empty groups', () => {
    const a = tensor([1, 2]), b = tensor([3]);
    expect(() => new SGD([{ params: [a], momentum: 0.9 }, { params: [b], momentum: 0 }], { lr: 0.1 })).toThrow(/changes the update rule/);
    expect(() => new SGD([{ params: [a] }, { params: [a] }], { lr: 0.1 })).toThrow(/more than one group/);
    expect(() => new Adam([{ params: [a] }, { params: [] }])).toThrow(/group 1 has no parameters/);
    expect(() => new SGD([{ params: [a], lr: -1 }], { lr: 0.1 })).toThrow(/invalid lr/);
  });
});

describe('frozen parameters', () => {
  const ALL: [string, (p: Tensor[]) => Optimizer][] = [
    ['SGD + weight decay', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 })],
    ['AdaGrad + weight decay', (p) => new AdaGrad(p, { lr: 0.1, weightDecay: 0.1 })],
    ['RMSProp + weight decay', (p) => new RMSProp(p, { lr: 0.01, weightDecay: 0.1 })],
    ['Adam + weight decay', (p) => new Adam(p, { lr: 0.01, weightDecay: 0.1 })],
    ['AdamW (decoupled decay)', (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.1 })],
  ];
  for (const [name, make] of ALL) {
    it(`stay bit-identical over 30 steps: ${name}, while the others follow the reference`, async () => {
      const rng = new Rng();
      const init0 = SHAPES.map((s) => rng.uniform(size(s)));
      const params = init0.map((d, i) => tensor(d, SHAPES[i]));
      params[1]!.requireGrad(false);
      params[3]!.requireGrad(false);
      const opt = make(params);
      const live = [0, 2, 4];
      const ref = new RefOptimizer(opt.config, live.map((i) => f64(init0[i]!)));
      for (let t = 0; t < 30; t++) {
        // Even a gradient assigned by hand to a frozen parameter is ignored (as PyTorch would not see one).
        const grads = params.map((p) => rng.uniform(p.size));
        params.forEach((p, i) => {
          p.grad?.dispose();
          p.grad = tensor(grads[i]!, p.shape);
        });
        opt.step();
        ref.update(live.map((i) => f64(grads[i]!)));
      }
      for (const i of [1, 3]) expect(await params[i]!.toArray(), `frozen param ${i}`).toEqual(init0[i]);
      for (const [j, i] of live.entries()) expectClose(await params[i]!.toArray() as Float32Array, ref.params[j]!, { rtol: 2e-4, atol: 5e-5 }, `${name} param ${i}`);
      opt.dispose();
    });
  }

  it('an optimizer with nothing to train is refused before any GPU work', () => {
    const ps = [tensor([1, 2, 3]), tensor([4])];
    for (const p of ps) p.requireGrad(false);
    const before = { ...rt.stats };
    expect(() => new Adam(ps)).toThrow(ArgumentError);
    expect(() => new Adam(ps)).toThrow(/all 2 parameters are frozen/);
    expect(rt.stats.dispatches).toBe(before.dispatches);
    expect(rt.stats.buffersCreated).toBe(before.buffersCreated);
  });

  it('drop their gradient kernels from the compiled step (dispatch count) and train only the rest', async () => {
    const rng = new Rng();
    const build = () => {
      seed(7);
      return new Sequential(new Linear(5, 7), new ReLU(), new Linear(7, 9), new ReLU(), new Linear(9, 3));
    };
    const x = rng.uniform(17 * 5), y = rng.int(17, 0, 3);
    const counts = async (model: Sequential) => {
      const opt = new SGD(model.parameters(), { lr: 0.1, weightDecay: 0.01 });
      const step = compile((xs, ys) => {
        opt.zeroGrad();
        const loss = crossEntropy(model.forward(xs), ys);
        loss.backward();
        opt.step();
        return loss;
      }, { inputShapes: [[5], []] });
      for (let i = 0; i < 3; i++) await step(x, y).item();
      const c = step.counts()!;
      step.dispose();
      opt.dispose();
      return c;
    };
    const full = await counts(build());
    const model = build();
    const frozen0 = await Promise.all(model.parameters().map((p) => p.toArray()));
    freeze(model.at(0));
    freeze(model.at(2));
    const part = await counts(model);
    // Full (16): 3 forward matmuls, cross-entropy + its reduction, the GPU label check (count, latch), then
    // per Linear from the head down the weight-gradient matmul and bias sum, and the input-gradient matmul of
    // the two upper ones, then the update. Heads-only training keeps the head's weight and bias gradients:
    // 6 kernels gone, and the update stays one dispatch (the head's parameters are one stretch of the arena).
    expect(full.dispatches).toBe(16);
    expect(part.dispatches, `full ${JSON.stringify(full)} vs frozen ${JSON.stringify(part)}`).toBe(10);
    expect(part.elidedCopies, 'gradients written straight into the arena: the head\'s two only').toBe(2);
    expect(part.copies, 'the hyperparameters written straight into place, as without frozen parameters').toBe(0);
    expect(full.copies).toBe(0);
    const after = await Promise.all(model.parameters().map((p) => p.toArray()));
    for (const i of [0, 1, 2, 3]) expect(after[i], `frozen ${model.namedParameters()[i]![0]}`).toEqual(frozen0[i]);
    for (const i of [4, 5]) expect(after[i]).not.toEqual(frozen0[i]);
    unfreeze(model);
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  it('batch norm statistics stay fixed with batchNormStats, and update without it', async () => {
    const rng = new Rng();
    const x = tensor(rng.uniform(9 * 3, 1, 3), [9, 3]);
    const bn = new BatchNorm1d(3);
    const model = new Sequential(new Linear(3, 3), bn);
    freeze(model, { batchNormStats: true });
    model.train();
    expect(bn.training).toBe(false);
    model.forward(x);
    expect(await bn.runningMean.toArray()).toEqual(new Float32Array(3));
    unfreeze(model);
    model.train();
    expect(bn.training).toBe(true);
    model.forward(x);
    expect(Array.from(await bn.runningMean.toArray() as Float32Array).some((v) => v !== 0)).toBe(true);
  });
});

describe('replacing a layer and loading the part that matches', () => {
  it('replace() keeps names, refuses unknown indices; a partial load changes only the matching tensors', async () => {
    seed(3);
    const source = new Sequential(new Linear(4, 6), new ReLU(), new Linear(6, 5));
    const bytes = await saveModel(source);
    seed(4);
    const target = new Sequential(new Linear(4, 6), new ReLU(), new Linear(6, 5));
    const head = new Linear(6, 3);
    const old = target.replace(-1, head);
    expect(old).toBeInstanceOf(Linear);
    expect(target.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(() => target.replace(3, new ReLU())).toThrow(/no layer 3: this Sequential has 3 layers/);
    expect(() => target.replace(-4, new ReLU())).toThrow(ArgumentError);
    const headBefore = await head.weight.toArray();
    expect(() => loadModel(target, bytes)).toThrow(/shape must match/);
    const { report } = loadModel(target, bytes, { strict: false, skipMismatched: true });
    expect(report.loaded.sort()).toEqual(['0.bias', '0.weight']);
    expect(report.mismatched.sort()).toEqual(['2.bias: file [5] vs module [3]', '2.weight: file [5, 6] vs module [3, 6]']);
    expect(report.missing.sort()).toEqual(['2.bias', '2.weight']);
    expect(await target.at(0).parameters()[0]!.toArray()).toEqual(await source.at(0).parameters()[0]!.toArray());
    expect(await head.weight.toArray()).toEqual(headBefore);
    expect(target.forward(tensor(new Float32Array(8), [2, 4])).shape).toEqual([2, 3]);
    expect(() => loadModel(target, bytes, { skipMismatched: true })).toThrow(/needs strict: false/);
  });
});
