import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { adagradConfig, adamConfig, rmspropConfig, sgdConfig, type OptimConfig } from '../../src/optim/config.js';
import { constantLr, cosineAnnealing, powerDecay, stepDecay, warmup } from '../../src/optim/schedules.js';
import { RefOptimizer, refClipGradNorm } from '../../src/reference/optim.js';

/** Runs the reference on one scalar parameter starting at 1 and returns its values after each step. */
function trajectory(config: OptimConfig, grads: number[]): number[] {
  const p = Float64Array.of(1);
  const opt = new RefOptimizer(config, [p]);
  return grads.map((g) => {
    opt.update([Float64Array.of(g)]);
    return p[0]!;
  });
}

// Expected values below are worked by hand or, for Adam and RMSProp, with a separate Python script of
// torch.optim's formulas; 1e-12 is float64 rounding.
describe('reference optimizers (torch.optim semantics)', () => {
  it('SGD: plain, weight decay, momentum with dampening (first buffer = gradient), Nesterov', () => {
    expect(trajectory(sgdConfig({ lr: 0.1 }), [0.5])[0]).toBeCloseTo(0.95, 12);
    expect(trajectory(sgdConfig({ lr: 0.1, weightDecay: 0.1 }), [0.5])[0]).toBeCloseTo(0.94, 12);
    // buf₁ = 1 (not 0.1·1), buf₂ = 0.9·1 + 0.9·1 = 1.8.
    const m = trajectory(sgdConfig({ lr: 0.1, momentum: 0.9, dampening: 0.1 }), [1, 1]);
    expect(m[0]).toBeCloseTo(0.9, 12);
    expect(m[1]).toBeCloseTo(0.72, 12);
    // d₁ = 1 + 0.9·1 = 1.9; buf₂ = 1.9, d₂ = 1 + 0.9·1.9 = 2.71.
    const n = trajectory(sgdConfig({ lr: 0.1, momentum: 0.9, nesterov: true }), [1, 1]);
    expect(n[0]).toBeCloseTo(0.81, 12);
    expect(n[1]).toBeCloseTo(0.539, 12);
  });

  it('AdaGrad: accumulated squares, eps 1e-10 by default, lr decay and initial accumulator', () => {
    const a = trajectory(adagradConfig({ lr: 0.1 }), [2, 1]);
    expect(a[0]).toBeCloseTo(0.9, 9);
    expect(a[1]).toBeCloseTo(0.9 - 0.1 / Math.sqrt(5), 9);
    expect(trajectory(adagradConfig({ lr: 0.1, lrDecay: 0.5, initialAccumulatorValue: 0.25 }), [2, 1])[1]).toBeCloseTo(0.8738900312933102, 12);
  });

  it('RMSProp: alpha 0.99 by default, with momentum and centered', () => {
    expect(trajectory(rmspropConfig(), [1, 1])[1]).toBeCloseTo(0.8291118945242908, 12);
    expect(trajectory(rmspropConfig({ momentum: 0.5 }), [1, 1])[1]).toBeCloseTo(0.7791118995242903, 12);
    expect(trajectory(rmspropConfig({ centered: true }), [1, 1])[1]).toBeCloseTo(0.8278920715801895, 12);
  });

  it('Adam with bias correction (first step moves by lr·sign(g)), L2 decay; AdamW decoupled decay 1e-2 by default', () => {
    const a = trajectory(adamConfig(), [3, -1]);
    expect(a[0]).toBeCloseTo(1 - 1e-3, 9);
    expect(a[1]).toBeCloseTo(0.9985997814331691, 12);
    expect(trajectory(adamConfig({ weightDecay: 0.5 }), [3, -1])[1]).toBeCloseTo(0.9984420877213664, 12);
    expect(adamConfig({}, true).weightDecay).toBe(1e-2);
    expect(trajectory(adamConfig({}, true), [3, -1])[1]).toBeCloseTo(0.9985797915331691, 12);
  });

  it('clips by the global norm over all gradients, with clip_grad_norm_\'s 1e-6 and a coefficient capped at 1', () => {
    const g = [Float64Array.of(3, 4), Float64Array.of(12)];
    expect(refClipGradNorm(g, 6.5)).toBe(13);
    const coef = 6.5 / (13 + 1e-6);
    expect([...g[0]!, ...g[1]!]).toEqual([3 * coef, 4 * coef, 12 * coef]);
    const h = [Float64Array.of(3, 4)];
    expect(refClipGradNorm(h, 100)).toBe(5);
    expect([...h[0]!]).toEqual([3, 4]);
  });

  it('rejects invalid hyperparameters like torch.optim', () => {
    expect(() => sgdConfig({ lr: -1 })).toThrow(ArgumentError);
    expect(() => sgdConfig({ lr: 0.1, nesterov: true })).toThrow(/Nesterov/);
    expect(() => sgdConfig({ lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(/Nesterov/);
    expect(() => adamConfig({ betas: [0.9, 1] })).toThrow(/beta2/);
    expect(() => rmspropConfig({ eps: -1 })).toThrow(/eps/);
  });
});

describe('learning-rate schedules', () => {
  it('power decay η₀/t^p: the lecture\'s 0.1/t^0.3 at t = 1, 2, 10', () => {
    const s = powerDecay(0.3);
    expect(s(0, 0.1)).toBeCloseTo(0.1, 15);
    expect(s(1, 0.1)).toBeCloseTo(0.08122523963562356, 15);
    expect(s(9, 0.1)).toBeCloseTo(0.050118723362727234, 15);
  });

  it('constant and step decay (StepLR)', () => {
    expect(constantLr()(123, 0.2)).toBe(0.2);
    const s = stepDecay(3, 0.5);
    expect([0, 2, 3, 5, 6].map((t) => s(t, 0.1))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(() => stepDecay(0)).toThrow(ArgumentError);
  });

  it('cosine annealing in PyTorch\'s closed form: η₀ at 0, the midpoint at T_max/2, η_min at T_max', () => {
    const s = cosineAnnealing(10, 0.01);
    expect(s(0, 0.1)).toBeCloseTo(0.1, 15);
    expect(s(5, 0.1)).toBeCloseTo(0.055, 15);
    expect(s(10, 0.1)).toBeCloseTo(0.01, 15);
    expect(s(2, 0.1)).toBeCloseTo(0.01 + 0.09 * (1 + Math.cos(Math.PI / 5)) / 2, 15);
  });

  it('linear warm-up scales any schedule from startFactor to 1, then leaves it alone', () => {
    const inner = cosineAnnealing(20);
    const s = warmup(4, inner, 0.25);
    expect(s(0, 0.1)).toBeCloseTo(0.25 * inner(0, 0.1), 15);
    expect(s(2, 0.1)).toBeCloseTo(0.625 * inner(2, 0.1), 15);
    expect(s(4, 0.1)).toBe(inner(4, 0.1));
    expect(s(7, 0.1)).toBe(inner(7, 0.1));
    expect(warmup(3)(0, 0.3)).toBeCloseTo(0.1, 15);
  });

  it('a schedule drives the reference optimizer\'s step size', () => {
    const p = Float64Array.of(0);
    const opt = new RefOptimizer(sgdConfig({ lr: 0.1 }), [p], { schedule: powerDecay(0.3) });
    for (let t = 0; t < 3; t++) opt.update([Float64Array.of(-1)]);
    expect(p[0]).toBeCloseTo(0.1 * (1 + 2 ** -0.3 + 3 ** -0.3), 12);
  });
});
