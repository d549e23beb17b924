import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError, compile, type CompiledStep, type Tensor, crossEntropy, DeviceLostError, init, mlp, SGD, seed, tensor, type Optimizer, type Runtime, type Sequential,
} from '../../src/index.js';
import { testRuntime } from '../helpers/gpu.js';

// A compiled step, an optimizer and a tensor belong to one runtime; using them after their runtime (or
// their model) is gone must fail with a reason, never return zeros or train a disposed copy.
let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

function trainer(on: Runtime, pinned = false): { model: Sequential; opt: Optimizer; step: CompiledStep<Tensor>; dispose(): void } {
  seed(5, on);
  const model = mlp([4, 3], { runtime: on });
  const opt = new SGD(model.parameters(), { lr: 0.5 });
  const step = compile((x, y) => {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  }, { inputShapes: [[4], []], runtime: pinned ? on : undefined });
  return { model, opt, step, dispose: () => { step.dispose(); opt.dispose(); model.dispose(); } };
}

const x = Float32Array.from({ length: 8 }, (_, i) => Math.cos(i)), y = Int32Array.of(0, 2);

describe('a compiled step, an optimizer and a tensor belong to their runtime', () => {
  it('a compiled step keeps running on the runtime it was traced on after a second init()', async () => {
    const own = await init({ gpu: rt.gpuObject!, setCurrent: true });
    const t = trainer(own);
    const first = await t.step(x, y).item();
    const other = await init({ gpu: rt.gpuObject! }); // now the current runtime
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const loss = t.step(x, y);
      expect(loss.rt).toBe(own);
      losses.push(await loss.item());
    }
    // It trains: the loss falls from step to step (it read 0 before, on the new runtime).
    expect(losses[0]).toBeLessThan(first);
    expect(losses[2]).toBeLessThan(losses[0]!);
    // A tensor input from another runtime is refused.
    expect(() => t.step(tensor(x, [2, 4], 'f32', other) as never, y)).toThrow(/belongs to another runtime/);
    t.dispose();
    other.destroy();
    own.destroy();
  });

  it('a destroyed runtime refuses ops, compiled steps and readbacks with a reason', async () => {
    const own = await init({ gpu: rt.gpuObject!, setCurrent: false });
    const t = trainer(own, true);
    t.step(x, y).dispose();
    const kept = tensor([1, 2, 3], [3], 'f32', own);
    own.destroy();
    const reason = /destroyed.*destroy\(\)/;
    expect(() => tensor([1], [1], 'f32', own)).toThrow(DeviceLostError);
    expect(() => tensor([1], [1], 'f32', own)).toThrow(reason);
    expect(() => t.step(x, y)).toThrow(reason);
    await expect(kept.toArray()).rejects.toThrow(reason);
    t.dispose();
  });

  it('a compiled step or an optimizer whose model was disposed raises an error', async () => {
    const own = await init({ gpu: rt.gpuObject!, setCurrent: false });
    const t = trainer(own, true);
    t.step(x, y).dispose();
    t.model.dispose();
    expect(() => t.step(x, y)).toThrow(ArgumentError);
    expect(() => t.step(x, y)).toThrow(/disposed after the step was traced/);
    expect(() => t.opt.step()).toThrow(/parameter 0 of shape \[3, 4\] was disposed/);
    // An optimizer disposed under a compiled step stops it too.
    const u = trainer(own, true);
    u.step(x, y).dispose();
    u.opt.dispose();
    expect(() => u.step(x, y)).toThrow(/the optimizer was disposed/);
    t.step.dispose();
    u.dispose();
    own.destroy();
  });
});
