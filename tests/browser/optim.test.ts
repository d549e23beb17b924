import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdaGrad, Adam, AdamW, ArgumentError, cosineAnnealing, init, mul, ParamArena, RMSProp, SGD, sum, tensor, warmup,
  type Optimizer, type OptimizerOptions, type Runtime, type Tensor,
} from '../../src/index.js';
import type { OptimConfig } from '../../src/optim/config.js';
import { compile } from '../../src/executor/compile.js';
import { RefOptimizer } from '../../src/reference/optim.js';
import { expectClose } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

/** Awkward sizes: none a multiple of the 64-element (256-byte) alignment, so arena padding is exercised. */
const SHAPES = [[1], [3], [17], [65, 3]];

type Make = (params: Tensor[], extra?: OptimizerOptions) => Optimizer;
const OPTIMIZERS: [string, Make][] = [
  ['SGD', (p, o) => new SGD(p, { lr: 0.1, ...o })],
  ['SGD momentum + dampening + weight decay', (p, o) => new SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, ...o })],
  ['SGD Nesterov', (p, o) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, ...o })],
  ['AdaGrad with lr decay and initial accumulator', (p, o) => new AdaGrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.01, ...o })],
  ['RMSProp', (p, o) => new RMSProp(p, { ...o })],
  ['RMSProp centered with momentum', (p, o) => new RMSProp(p, { lr: 0.01, momentum: 0.9, centered: true, weightDecay: 0.01, ...o })],
  ['Adam', (p, o) => new Adam(p, { lr: 0.01, weightDecay: 0.01, ...o })],
  ['AdamW', (p, o) => new AdamW(p, { lr: 0.01, ...o })],
];

const f64 = (a: ArrayLike<number>) => Float64Array.from(a);

async function values(ts: readonly Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => (await t.toArray()) as Float32Array));
}

/**
 * Runs `steps` updates on GPU and reference with the same random gradients (given as separate `.grad`
 * tensors, the autodiff path) and compares parameters and state. f32 against float64 over 10 steps of
 * parameters of size ≈ 1 moved by lr ≤ 0.1: a few ulps per op, bounded by atol 2e-5 + rtol 1e-4.
 */
async function compareWithReference(make: Make, options: OptimizerOptions, rng: Rng, steps = 10): Promise<{ opt: Optimizer; ref: RefOptimizer }> {
  const init0 = SHAPES.map((s) => rng.uniform(s.reduce((a, b) => a * b, 1)));
  const params = init0.map((d, i) => tensor(d, SHAPES[i]));
  const opt = make(params, options);
  const ref = new RefOptimizer(opt.config, init0.map(f64), options);
  for (let t = 0; t < steps; t++) {
    const grads = params.map((p) => rng.uniform(p.size));
    params.forEach((p, i) => {
      p.grad?.dispose();
      p.grad = tensor(grads[i]!, p.shape);
    });
    opt.step();
    ref.update(grads.map(f64));
  }
  const got = await values(params);
  got.forEach((g, i) => expectClose(g, ref.params[i]!, { rtol: 1e-4, atol: 2e-5 }, `${opt.name} param ${i}`));
  const state = opt.state();
  expect(state.step).toBe(steps);
  expect(Object.keys(state.buffers).sort()).toEqual(Object.keys(ref.state).sort());
  // Centered RMSProp divides by sqrt(v − ḡ²), which loses f32 digits to cancellation wherever the running
  // mean of a gradient nearly accounts for its running square; momentum then carries that error on. Its
  // state gets 5× the relative bound (seen: 1.6e-4 on one element of 195 with TEST_SEED=270454620).
  const rtol = opt.config.kind === 'rmsprop' && opt.config.centered ? 5e-4 : 1e-4;
  for (const [name, ts] of Object.entries(state.buffers)) {
    (await values(ts)).forEach((g, i) => expectClose(g, ref.state[name]![i]!, { rtol, atol: 1e-6 }, `${opt.name} ${name}[${i}]`));
  }
  return { opt, ref };
}

describe('ParamArena', () => {
  it('packs tensors at 256-byte offsets with zero padding and moves them in, keeping their identity', async () => {
    const rng = new Rng();
    const data = SHAPES.map((s) => rng.uniform(s.reduce((a, b) => a * b, 1)));
    const ts = data.map((d, i) => tensor(d, SHAPES[i]));
    const arena = new ParamArena(rt, ts);
    expect(arena.params).toEqual(ts);
    expect(arena.offsets).toEqual([0, 64, 128, 192]);
    expect(arena.totalElements).toBe(192 + 256);
    for (const t of ts) expect(t.buffer().buffer).toBe(arena.paramBuffer.buffer);
    expect(ParamArena.of(ts[2]!)).toEqual({ arena, index: 2 });
    const all = new Float32Array(await rt.read('test', arena.paramBuffer.range, arena.totalElements * 4));
    const expected = new Float32Array(arena.totalElements);
    data.forEach((d, i) => expected.set(d, arena.offsets[i]));
    expectClose(all, expected, { rtol: 0 }, 'whole parameter buffer (padding must be 0, not the poison NaN)');
    const grads = new Float32Array(await rt.read('test', arena.gradBuffer.range, arena.totalElements * 4));
    expectClose(grads, new Float32Array(arena.totalElements), { rtol: 0 }, 'gradient buffer');
    expect(() => new ParamArena(rt, [ts[0]!])).toThrow(/already lives in an arena/);
    arena.dispose();
    expect(() => ts[0]!.buffer()).toThrow(/disposed/);
  });

  it('refuses parameters over maxStorageBufferBindingSize, naming the fix', () => {
    const n = rt.limits.maxStorageBufferBindingSize / 4;
    expect(() => new ParamArena(rt, [[n / 2 + 1], [n / 2]])).toThrow(/split them into several arenas/);
  });
});

describe('fused optimizers vs the float64 reference (10 steps, random gradients)', () => {
  for (const [name, make] of OPTIMIZERS) {
    it(name, async () => {
      const { opt } = await compareWithReference(make, {}, new Rng());
      const whole = new Float32Array(await rt.read('test', opt.arena.paramBuffer.range, opt.arena.totalElements * 4));
      const padding = whole.filter((_, i) => !SHAPES.some((s, k) => i >= opt.arena.offsets[k]! && i < opt.arena.offsets[k]! + s.reduce((a, b) => a * b, 1)));
      expectClose(padding, new Float32Array(padding.length), { rtol: 0 }, 'padding after the updates');
    });
  }

  it('follows a schedule (warm-up then cosine) step by step', async () => {
    const { opt, ref } = await compareWithReference(OPTIMIZERS[6]![1], { schedule: warmup(3, cosineAnnealing(8, 1e-3)) }, new Rng());
    expect(opt.lr).toBeCloseTo(ref.lr, 12);
  });
});

describe('gradient clipping by global norm on the GPU', () => {
  it('matches clip_grad_norm_ + step, writes the clipped gradients back and reports the norm', async () => {
    const rng = new Rng();
    // Uniform(−1, 1) gradients over 216 elements have a norm near 8.5: clipping to 2 is active.
    const { opt, ref } = await compareWithReference(OPTIMIZERS[1]![1], { clipGradNorm: 2 }, rng, 4);
    expectClose([await opt.gradNorm()!.item()], [ref.lastNorm], { rtol: 1e-5 }, 'global norm');
    const last = await values(opt.arena.grads);
    const norm = Math.sqrt(last.reduce((s, g) => s + g.reduce((a, x) => a + x * x, 0), 0));
    expectClose([norm], [2], { rtol: 1e-5 }, 'norm of the clipped gradients');
    await compareWithReference(OPTIMIZERS[6]![1], { clipGradNorm: 1e3 }, rng, 3);
  });

  it('takes two passes over a large arena and stays within 3 dispatches', async () => {
    const rng = new Rng();
    const sizes = [1, 5000, 3];
    const init0 = sizes.map((n) => rng.uniform(n));
    const params = init0.map((d) => tensor(d));
    const opt = new Adam(params, { lr: 0.01, clipGradNorm: 5 });
    const ref = new RefOptimizer(opt.config, init0.map(f64), { clipGradNorm: 5 });
    for (let t = 0; t < 3; t++) {
      const grads = sizes.map((n) => rng.uniform(n));
      params.forEach((p, i) => {
        p.grad?.dispose();
        p.grad = tensor(grads[i]!);
      });
      const before = rt.stats.dispatches;
      opt.step();
      expect(rt.stats.dispatches - before).toBe(3);
      ref.update(grads.map(f64));
    }
    expectClose([await opt.gradNorm()!.item()], [ref.lastNorm], { rtol: 1e-5 }, 'global norm over 5004 elements');
    (await values(params)).forEach((g, i) => expectClose(g, ref.params[i]!, { rtol: 1e-4, atol: 2e-5 }, `param ${i}`));
  });
});

describe('optimizer API', () => {
  it('steady state: after the first step, 20 more create no pipeline, bind group or buffer, ≤ 3 dispatches each', async () => {
    const rng = new Rng();
    const params = [tensor(rng.uniform(5000)), tensor(rng.uniform(17))];
    params.forEach((p) => (p.grad = tensor(rng.uniform(p.size))));
    const opt = new AdamW(params, { schedule: cosineAnnealing(20), clipGradNorm: 1 });
    opt.step();
    await rt.sync();
    const s0 = { ...rt.stats };
    for (let t = 0; t < 20; t++) {
      const before = rt.stats.dispatches;
      opt.step();
      expect(rt.stats.dispatches - before).toBeLessThanOrEqual(3);
    }
    await rt.sync();
    expect(rt.stats.pipelinesCreated - s0.pipelinesCreated).toBe(0);
    expect(rt.stats.bindGroupsCreated - s0.bindGroupsCreated).toBe(0);
    expect(rt.stats.buffersCreated - s0.buffersCreated).toBe(0);
    expect(rt.stats.dispatches - s0.dispatches).toBe(60);
  });

  it('keeps each step\'s hyperparameters when many steps are encoded before one submit', async () => {
    // A runtime without poisoning: the test runtime submits before every upload, which would hide an
    // upload overtaking the previous step's pending update.
    const rt2 = await init({ gpu: navigator.gpu, setCurrent: false, maxDispatchesPerSubmit: 1000 });
    const rng = new Rng();
    const init0 = rng.uniform(10);
    const p = tensor(init0, [10], 'f32', rt2);
    const schedule = warmup(10, cosineAnnealing(12));
    const opt = new SGD([p], { lr: 0.1, momentum: 0.5, schedule });
    const ref = new RefOptimizer(opt.config, [f64(init0)], { schedule });
    // Gradients as separate tensors made up front, so the steps below encode only copies, uploads of
    // the hyperparameters and dispatches.
    const grads = Array.from({ length: 12 }, () => rng.uniform(10));
    const gradTensors = grads.map((g) => tensor(g, [10], 'f32', rt2));
    await rt2.sync();
    const submits = rt2.stats.submits;
    grads.forEach((g, t) => {
      p.grad = gradTensors[t]!;
      opt.step();
      ref.update([f64(g)]);
    });
    // At most one forced submit per 8 steps (the hyperparameter ring): the steps really did share batches.
    expect(rt2.stats.submits - submits).toBeLessThanOrEqual(1);
    expectClose(await p.toArray(), ref.params[0]!, { rtol: 1e-4, atol: 1e-6 }, 'params after 12 steps');
    rt2.destroy();
  });

  it('inside a compiled step, every replay advances the step count and the schedule', async () => {
    const rng = new Rng();
    const init0 = rng.uniform(17);
    const p = tensor(init0);
    const schedule = cosineAnnealing(6, 1e-3);
    const opt = new Adam([p], { lr: 0.02, schedule, clipGradNorm: 0.5 });
    const ref = new RefOptimizer(opt.config, [f64(init0)], { schedule, clipGradNorm: 0.5 });
    const step = compile((g: Tensor) => {
      p.grad = g;
      opt.step();
      return p;
    }, { runtime: rt });
    for (let t = 0; t < 6; t++) {
      const g = rng.uniform(17);
      step(g).dispose();
      ref.update([f64(g)]);
    }
    p.grad = null;
    expect(opt.stepCount).toBe(6);
    // f32 vs float64 over 6 Adam steps of lr ≤ 0.02 on values ≈ 1.
    expectClose(await p.toArray(), ref.params[0]!, { rtol: 1e-4, atol: 2e-5 }, 'params after 6 compiled steps');
  });

  it('zeroGrad drops every .grad without a dispatch; the next step zeroes the views of parameters left without one', async () => {
    const p = tensor([1, 2, 3]), q = tensor([5, 6]);
    const opt = new SGD([p, q], { lr: 1 });
    p.grad = tensor([1, 1, 1]);
    q.grad = tensor([2, 2]);
    opt.step();
    expectClose(await q.toArray(), [3, 4], { rtol: 0 }, 'q after the first step');
    const g = p.grad;
    const before = rt.stats.dispatches;
    opt.zeroGrad();
    expect(rt.stats.dispatches - before).toBe(0);
    expect(p.grad).toBeNull();
    expect(q.grad).toBeNull();
    expect(g.isDisposed).toBe(true);
    p.grad = tensor([1, 0, -1]);
    // q has no gradient now: its view still holds [2, 2] and must count as zero.
    opt.step();
    expectClose(await p.toArray(), [-1, 1, 3], { rtol: 0 }, 'p after the second step');
    expectClose(await q.toArray(), [3, 4], { rtol: 0 }, 'a parameter without a gradient after zeroGrad does not move');
    expectClose(await opt.arena.grads[1]!.toArray(), [0, 0], { rtol: 0 }, "q's gradient view");
    // Without zeroGrad in between, a missing gradient means the view's contents, as before.
    opt.step();
    expectClose(await p.toArray(), [-2, 1, 4], { rtol: 0 }, 'p after the third step (its view still holds [1, 0, -1])');
  });

  it('after step(), a gradient made by backward() reads the arena (same object, buffer returned); an assigned one is left alone', async () => {
    const p = tensor([1, 2, 3]).requireGrad(), q = tensor([4, 5]);
    const opt = new SGD([p, q], { lr: 0.5 });
    sum(mul(p, p)).backward();
    q.grad = tensor([1, -1]);
    const made = p.grad!, assigned = q.grad;
    const inUse = rt.memory().inUseBuffers;
    opt.step();
    expect(p.grad).toBe(made);
    expect(made.storage).toBe(opt.arena.grads[0]!.storage);
    expect(rt.memory().inUseBuffers, "the backward gradient's own buffer went back to the pool").toBe(inUse - 1);
    expect(q.grad).toBe(assigned);
    expect(assigned.storage).not.toBe(opt.arena.grads[1]!.storage);
    expectClose(await made.toArray(), [2, 4, 6], { rtol: 0 }, 'p.grad after step');
    expectClose(await p.toArray(), [0, 0, 0], { rtol: 0 }, 'p after step');
    expectClose(await assigned.toArray(), [1, -1], { rtol: 0 }, 'q.grad after step');
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    expect(q.grad).toBeNull();
    expect(opt.arena.grads[0]!.isDisposed).toBe(false);
  });

  it('state() / loadState() resume an optimizer exactly', async () => {
    const rng = new Rng();
    const init0 = rng.uniform(17);
    const a = tensor(init0);
    const optA = new Adam([a], { lr: 0.01 });
    const grads = [0, 1, 2, 3, 4].map(() => rng.uniform(17));
    for (const g of grads.slice(0, 3)) {
      a.grad = tensor(g);
      optA.step();
    }
    const saved = optA.state();
    const b = tensor(await a.toArray());
    const optB = new Adam([b], { lr: 0.01 });
    optB.loadState({ step: saved.step, buffers: { exp_avg: [tensor(await saved.buffers.exp_avg![0]!.toArray())], exp_avg_sq: [tensor(await saved.buffers.exp_avg_sq![0]!.toArray())] } });
    for (const g of grads.slice(3)) {
      a.grad = tensor(g);
      b.grad = tensor(g);
      optA.step();
      optB.step();
    }
    expectClose(await b.toArray(), await a.toArray(), { rtol: 0 }, 'resumed parameters');
    expect(() => optB.loadState({ step: 1, buffers: {} })).toThrow(/exp_avg/);
    expect(new SGD([tensor([1])], { lr: 1, momentum: 0.9 }).state().buffers).toEqual({});
  });

  it('takes an existing arena (whole, or part of it without clipping) and refuses mixed parameter lists', () => {
    const arena = new ParamArena(rt, [[2], [3]]);
    const opt = new SGD([arena.params[1]!, arena.params[0]!], { lr: 1 });
    expect(opt.arena).toBe(arena);
    // Part of an arena: the others are left out like frozen parameters (PyTorch: an optimizer over some of a model's parameters).
    expect(new SGD([arena.params[0]!], { lr: 1 }).arena).toBe(arena);
    expect(() => new SGD([arena.params[0]!], { lr: 1, clipGradNorm: 1 })).toThrow(/clipGradNorm needs all 2 parameters/);
    expect(() => new SGD([arena.params[0]!, arena.params[1]!, tensor([1])], { lr: 1 })).toThrow(/parameters of one ParamArena/);
    expect(() => new SGD([arena.params[0]!, arena.params[0]!], { lr: 1 })).toThrow(ArgumentError);
    expect(() => new Adam([tensor([1])], { clipGradNorm: -1 })).toThrow(/clipGradNorm/);
  });
});

describe('Rosenbrock f(x, y) = (1 − x)² + 100(y − x²)² from (−1.5, 2)', () => {
  const f = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
  const grad = (x: number, y: number) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
  const RUNS: [string, Make][] = [
    ['SGD', (p) => new SGD(p, { lr: 1e-3 })],
    ['momentum', (p) => new SGD(p, { lr: 2e-4, momentum: 0.9 })],
    ['Nesterov', (p) => new SGD(p, { lr: 2e-4, momentum: 0.9, nesterov: true })],
    ['lecture EMA momentum (dampening 1 − β)', (p) => new SGD(p, { lr: 2e-3, momentum: 0.9, dampening: 0.1 })],
    ['AdaGrad', (p) => new AdaGrad(p, { lr: 0.3 })],
    ['RMSProp', (p) => new RMSProp(p, { lr: 0.01 })],
    ['RMSProp centered with momentum', (p) => new RMSProp(p, { lr: 2e-3, momentum: 0.9, centered: true })],
    ['Adam', (p) => new Adam(p, { lr: 0.05 })],
    ['AdamW', (p) => new AdamW(p, { lr: 0.05 })],
  ];
  const STEPS = 30;

  for (const [name, make] of RUNS) {
    it(`${name} lowers f within ${STEPS} steps and follows the reference trajectory`, async () => {
      const xy = tensor([-1.5, 2]);
      const opt = make([xy]);
      const ref = new RefOptimizer(opt.config, [Float64Array.of(-1.5, 2)]);
      const gradView = opt.arena.grads[0]!;
      for (let t = 0; t < STEPS; t++) {
        const [x, y] = await xy.toArray();
        // Straight into the arena's gradient view (the hook an executor will use); .grad stays null.
        const g = grad(x!, y!);
        rt.upload('test', gradView.buffer(), Float32Array.from(g));
        opt.step();
        ref.update([Float64Array.from(grad(ref.params[0]![0]!, ref.params[0]![1]!))]);
      }
      const [x, y] = await xy.toArray();
      expect(f(x!, y!)).toBeLessThan(0.6 * f(-1.5, 2));
      // f32 vs float64 along 30 steps of a curved valley: errors grow but stay below 1e-3.
      expectClose([x!, y!], ref.params[0]!, { rtol: 1e-3, atol: 1e-3 }, `${name} position`);
    });
  }
});

describe('saddle z = x² − y² (zero gradient at the origin)', () => {
  /** y after 30 steps from (0.5, 1e-3), gradients computed from the GPU parameters. */
  async function escape(make: Make): Promise<number> {
    const xy = tensor([0.5, 1e-3]);
    const opt = make([xy]);
    for (let t = 0; t < 30; t++) {
      const [x, y] = await xy.toArray();
      rt.upload('test', opt.arena.grads[0]!.buffer(), Float32Array.of(2 * x!, -2 * y!));
      opt.step();
    }
    return (await xy.toArray())[1]!;
  }

  it('momentum leaves along the descending y axis much faster than plain SGD', async () => {
    const plain = await escape((p) => new SGD(p, { lr: 0.01 }));
    const momentum = await escape((p) => new SGD(p, { lr: 0.01, momentum: 0.9 }));
    // Plain SGD multiplies y by 1.02 per step (≈ 1.8e-3 after 30); momentum reaches ≈ 1.5e-2.
    expect(plain).toBeGreaterThan(1.5e-3);
    expect(momentum).toBeGreaterThan(5 * plain);
  });
});
