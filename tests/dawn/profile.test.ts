import { beforeAll, describe, expect, it } from 'vitest';
import { compile, crossEntropy, formatProfile, Linear, ReLU, Runtime, SGD, seed, Sequential, tensor, type Tensor } from '../../src/index.js';
import { expectEqual } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

// dawn.node's SwiftShader adapter offers 'timestamp-query' (Chromium's does too, quantized), so the
// profiler runs here for real; its times are CPU emulation and only their structure is checked.
let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

function setup(runtime: Runtime) {
  seed(5);
  const model = new Sequential(new Linear(8, 16, { runtime }), new ReLU(), new Linear(16, 3, { runtime }));
  const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const step = compile((x: Tensor, y: Tensor) => {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  }, { runtime, inputShapes: [[8], []] });
  return { model, opt, step };
}

describe('compiled-step profile (timestamp queries)', () => {
  it('times every dispatch and the whole step, and trains exactly like plain steps', async () => {
    expect(rt.features.has('timestamp-query')).toBe(true);
    const rng = new Rng();
    const x = rng.normal(5 * 8), y = rng.int(5, 0, 3);

    const profiled = setup(rt);
    const profile = await profiled.step.profile([x, y], { repeats: 2 });
    const counts = profiled.step.counts()!;
    expect(profile.repeats).toBe(2);
    expect(profile.dispatches.length).toBe(counts.dispatches);
    for (const d of profile.dispatches) {
      expect(Number.isFinite(d.ms) && d.ms >= 0, `${d.op} · ${d.kernel}: ${d.ms} ms`).toBe(true);
      expect(d.grid.every((g) => Number.isInteger(g) && g >= 1)).toBe(true);
    }
    expect(profile.dispatchSumMs).toBeGreaterThan(0);
    expect(profile.stepMs).toBeGreaterThan(0);
    expect(profile.byKernel.reduce((n, g) => n + g.count, 0)).toBe(counts.dispatches);
    expect(profile.byKernel.reduce((s, g) => s + g.share, 0)).toBeCloseTo(1, 6);
    for (let i = 1; i < profile.byKernel.length; i++) expect(profile.byKernel[i]!.ms).toBeLessThanOrEqual(profile.byKernel[i - 1]!.ms);
    const kernels = new Set(profile.dispatches.map((d) => d.kernel));
    expect(kernels.has('matmul')).toBe(true);
    expect(formatProfile(profile)).toMatch(/^GPU time per step .+\nSum of \d+ dispatches timed one per pass .+\n {2}\S/);

    // The trace, then 2 × (one step with pass timestamps + one with a pass per dispatch): 5 steps, bit for
    // bit what 5 plain calls give.
    const plain = setup(rt);
    for (let i = 0; i < 5; i++) plain.step(x, y).dispose();
    const a = profiled.model.namedParameters(), b = plain.model.namedParameters();
    for (let i = 0; i < a.length; i++) expectEqual(await a[i]![1].toArray(), await b[i]![1].toArray(), a[i]![0]);
    for (const s of [profiled, plain]) {
      s.step.dispose();
      s.opt.dispose();
    }
  });

  it('refuses a device without timestamp-query, naming the feature', async () => {
    const adapter = await rt.gpuObject!.requestAdapter();
    const device = await adapter!.requestDevice();
    expect(device.features.has('timestamp-query')).toBe(false);
    const bare = new Runtime(device, rt.adapter);
    const s = setup(bare);
    await expect(s.step.profile([new Float32Array(8), Int32Array.of(0)])).rejects.toThrow(/needs the WebGPU feature 'timestamp-query'/);
    s.step.dispose();
    bare.destroy();
  });

  it('rejects a bad repeat count before running anything', async () => {
    const s = setup(rt);
    await expect(s.step.profile([tensor(new Float32Array(8), [1, 8], 'f32', rt), tensor(Int32Array.of(0), [1], 'i32', rt)], { repeats: 0 })).rejects.toThrow(/repeats must be a positive integer, got 0/);
    expect(s.step.plans).toBe(0);
    s.step.dispose();
  });
});
