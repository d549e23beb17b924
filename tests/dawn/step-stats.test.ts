import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError, compile, crossEntropy, diagnoseLayer, Flatten, Linear, ReLU, SGD, Sequential, seed, StepStats, Tanh, tensor, type Runtime, type Tensor, type TensorStats,
} from '../../src/index.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

// Per-layer activation and per-parameter gradient/weight/update statistics computed inside a compiled
// step (src/train/step-stats.ts, shaders/tensor-stats.wgsl), against float64 statistics on the CPU.
let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

function cpuStats(v: ArrayLike<number>) {
  const xs = Array.from(v);
  const n = xs.length, mean = xs.reduce((a, b) => a + b, 0) / n;
  return {
    count: n, mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n), min: Math.min(...xs), max: Math.max(...xs),
    norm: Math.sqrt(xs.reduce((a, b) => a + b * b, 0)), zeroFraction: xs.filter((x) => x === 0).length / n,
    saturatedFraction: xs.filter((x) => Math.abs(x) >= 0.99).length / n,
  };
}

/** f32 sums of ≤ 100 O(1) values: 1e-5 relative to the scale of the values, plus 1e-6. */
function expectStats(got: TensorStats, values: ArrayLike<number>, what: string): void {
  const want = cpuStats(values);
  const scale = Math.max(1e-6, ...Array.from(values, Math.abs));
  expect(got.count, `${what} count`).toBe(want.count);
  for (const k of ['mean', 'std', 'min', 'max', 'norm'] as const) {
    const tol = 1e-6 + 1e-5 * (k === 'norm' ? want.norm : scale);
    expect(Math.abs(got[k] - want[k]), `${what} ${k}: ${got[k]} vs ${want[k]}`).toBeLessThanOrEqual(tol);
  }
  expect(got.zeroFraction, `${what} zeros`).toBeCloseTo(want.zeroFraction, 12);
  expect(got.nonFinite).toBe(0);
  // Histogram over the GPU's own [min, max]: every value counted; the CPU's binning of the same values
  // differs at most where a value sits on a bin edge in f32 vs f64.
  expect(got.histogram.reduce((a, b) => a + b, 0), `${what} histogram total`).toBe(want.count);
  const bins = got.histogram.length, width = got.max - got.min;
  const cpu = new Array(bins).fill(0);
  for (const v of Array.from(values)) cpu[width > 0 ? Math.min(Math.max(Math.floor(((v - got.min) / width) * bins), 0), bins - 1) : 0]++;
  const off = cpu.reduce((a, c, i) => a + Math.abs(c - got.histogram[i]!), 0);
  expect(off, `${what} histogram ${got.histogram} vs ${cpu}`).toBeLessThanOrEqual(2);
}

const dot = (a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, n: number) => {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[ao + k]! * b[bo + k]!;
  return s;
};

/** y = act(x Wᵀ + b) in float64, x [rows, in], W [out, in]. */
function linear(x: ArrayLike<number>, rows: number, w: ArrayLike<number>, b: ArrayLike<number>, inF: number, outF: number, act: (v: number) => number): number[] {
  const y: number[] = [];
  for (let r = 0; r < rows; r++) for (let o = 0; o < outF; o++) y.push(act(dot(x, r * inF, w, o * inF, inF) + b[o]!));
  return y;
}

describe('StepStats', () => {
  it('match float64 statistics of the layer outputs, gradients, weights and updates of the step', async () => {
    const rng = new Rng();
    seed(rng.int(1, 0, 1000)[0]!);
    const model = new Sequential(new Flatten(), new Linear(6, 5), new Tanh(), new Linear(5, 4), new ReLU(), new Linear(4, 3));
    const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const stats = new StepStats(model, opt, { bins: 7 });
    const step = compile((x: Tensor, y: Tensor) => {
      opt.zeroGrad();
      const loss = crossEntropy(stats.forward(x), y);
      loss.backward();
      stats.beforeUpdate();
      opt.step();
      stats.afterUpdate();
      return loss;
    }, { inputShapes: [[2, 3], []] });
    const batch = () => ({ x: rng.normal(7 * 6), y: rng.int(7, 0, 3) });
    try {
      // Not requested: nothing computed.
      let b = batch();
      step(b.x, b.y).dispose();
      expect(await stats.read()).toBeNull();
      step(b.x, b.y).dispose();
      const before = await Promise.all(model.parameters().map((p) => p.toArray()));
      b = batch();
      stats.request();
      step(b.x, b.y).dispose();
      // A later, unrequested replay leaves the captured statistics alone.
      step(batch().x, batch().y).dispose();
      const report = (await stats.read())!;
      expect(report.step).toBe(3);
      expect(step.plans).toBe(1);
      // Activations of replay 3, from the weights before its update.
      const [w1, b1, w2, b2, w3, b3] = before as Float32Array[];
      const h1 = linear(b.x, 7, w1!, b1!, 6, 5, Math.tanh);
      const h2 = linear(h1, 7, w2!, b2!, 5, 4, (v) => Math.max(v, 0));
      const out = linear(h2, 7, w3!, b3!, 4, 3, (v) => v);
      expect(report.layers.map((l) => l.label)).toEqual(['0 Flatten', '1 Linear+Tanh', '3 Linear+ReLU', '5 Linear']);
      expectStats(report.layers[0]!, b.x, 'input');
      expectStats(report.layers[1]!, h1, 'tanh layer');
      expectStats(report.layers[2]!, h2, 'relu layer');
      expectStats(report.layers[3]!, out, 'logits');
      // Gradients, weights and updates: a requested replay whose parameters are read just before and after it.
      const names = model.namedParameters().map(([n]) => n);
      expect(report.parameters.map((p) => p.name)).toEqual(names);
      const prev = await Promise.all(model.parameters().map((p) => p.toArray()));
      stats.request();
      step(b.x, b.y).dispose();
      const r5 = (await stats.read())!;
      expect(r5.step).toBe(5);
      const after = await Promise.all(model.parameters().map((p) => p.toArray()));
      const grads = await Promise.all(model.parameters().map((p) => p.grad!.toArray()));
      r5.parameters.forEach((p, i) => {
        expectStats(p.grad, grads[i]!, `${p.name} grad`);
        expectStats(p.weight, after[i]!, `${p.name} weight`);
        const delta = Array.from(after[i]!, (v, j) => v - prev[i]![j]!);
        expectStats(p.update, delta, `${p.name} update`);
        expect(p.updateRatio).toBeCloseTo(cpuStats(delta).norm / cpuStats(after[i]!).norm, 4);
      });
    } finally {
      step.dispose();
      stats.dispose();
      opt.dispose();
      model.dispose();
    }
  });

  it('flag saturated tanh and dead ReLU layers, and refuse bad options', async () => {
    seed(5);
    const model = new Sequential(new Linear(3, 4), new Tanh());
    const opt = new SGD(model.parameters(), { lr: 0.01 });
    const stats = new StepStats(model, opt);
    const step = compile((x: Tensor) => {
      opt.zeroGrad();
      const y = stats.forward(x);
      const loss = crossEntropy(y, tensor(Int32Array.of(0, 1)));
      loss.backward();
      stats.beforeUpdate();
      opt.step();
      stats.afterUpdate();
      return loss;
    });
    try {
      stats.request();
      // Huge inputs drive tanh to ±1.
      step(tensor(Float32Array.of(100, -100, 50, -70, 80, 90), [2, 3])).dispose();
      const r = (await stats.read())!;
      expect(r.layers[0]!.label).toBe('0 Linear+Tanh');
      expect(r.layers[0]!.saturatedFraction).toBeGreaterThan(0.5);
      expect(diagnoseLayer(r.layers[0]!)).toContain('saturated');
      expect(() => new StepStats(model, opt, { bins: 65 })).toThrow(ArgumentError);
    } finally {
      step.dispose();
      stats.dispose();
      opt.dispose();
      model.dispose();
    }
  });
});
