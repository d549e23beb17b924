import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compile, crossEntropy, fit, InMemoryDataset, lenet5, mlp, SGD, seed, type Runtime } from '../../src/index.js';
import { nullRuntime } from '../helpers/null-device.js';

// Growth over many steps, counted (live buffers, bytes, plans, pending promises), never timed. The null
// device validates every call and executes nothing, so thousands of steps cost only their CPU side.
let rt: Runtime;
beforeAll(async () => {
  rt = await nullRuntime();
});
afterAll(() => rt.destroy());

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function dataset(n: number, sampleShape: number[], classes: number): InMemoryDataset {
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n * size }, (_, i) => Math.sin(i));
  const y = Int32Array.from({ length: n }, (_, i) => i % classes);
  return new InMemoryDataset(x, y, { sampleShape });
}

describe('no leaks, no unbounded growth', () => {
  it('fit with compile: false frees every batch\'s intermediates', async () => {
    seed(1);
    const model = lenet5();
    const opt = new SGD(model.parameters(), { lr: 0.01 });
    const data = dataset(8 * 30, [1, 28, 28], 10);
    const before = rt.memory();
    await fit(model, data, { epochs: 1, batchSize: 8, optimizer: opt, compile: false, lossEvery: 7 });
    const afterOne = rt.memory();
    await fit(model, data, { epochs: 2, batchSize: 8, optimizer: opt, compile: false, lossEvery: 7 });
    const after = rt.memory();
    // 30 eager steps leaked every forward/backward intermediate (tens of buffers a batch); now only the
    // gradients the next zeroGrad() drops stay between steps, and a longer run holds no more.
    expect(after.inUseBuffers).toBe(afterOne.inUseBuffers);
    expect(after.inUseBytes).toBe(afterOne.inUseBytes);
    expect(afterOne.inUseBuffers - before.inUseBuffers).toBeLessThanOrEqual(model.parameters().length);
    opt.dispose();
    model.dispose();
  });

  it('a compiled step keeps at most maxPlans plans (least recently used first out) and warns when it keeps re-planning', () => {
    seed(2);
    const model = mlp([6, 5, 3]);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const step = compile((x, y) => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    }, { inputShapes: [[6], []], maxPlans: 4 });
    const run = (n: number) => step(new Float32Array(n * 6), new Int32Array(n)).dispose();
    run(1);
    const oneShape = rt.memory();
    for (let n = 2; n <= 40; n++) run(n);
    expect(step.plans).toBe(4);
    // Plans for 37..40 hold no more than 4 plans' buffers (and nothing from the 35 evicted ones).
    expect(rt.memory().inUseBuffers).toBeLessThan(oneShape.inUseBuffers * 4);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/traced 5 times/);
    // The 4 most recent shapes replay without tracing (a trace would create buffers and warn again).
    const created = rt.stats.buffersCreated;
    run(40);
    run(37);
    expect(rt.stats.buffersCreated).toBe(created);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    step.dispose();
    opt.dispose();
    model.dispose();
  });

  it('error-check promises do not pile up over 20,000 steps without a readback', async () => {
    seed(3);
    const model = mlp([3, 2]);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const step = compile((x, y) => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    }, { inputShapes: [[3], []] });
    const x = new Float32Array(3), y = new Int32Array(1);
    let most = 0;
    for (let i = 0; i < 20_000; i++) {
      step(x, y).dispose();
      if (i % 500 === 499) {
        // Not a readback: the GPU finishing (which settles the scopes of everything submitted before it).
        await rt.device.queue.onSubmittedWorkDone();
        await tick();
        most = Math.max(most, rt.pendingErrorChecks);
      }
    }
    // Three scopes a submit, dropped as they settle: once the GPU is done, none of the 500 steps' remain
    // (they were all kept, 60,006 after 20,000 steps, until a readback).
    expect(most).toBeLessThan(3 * 500);
    await rt.checkErrors();
    expect(rt.pendingErrorChecks).toBe(0);
    step.dispose();
    opt.dispose();
    model.dispose();
  });
});
