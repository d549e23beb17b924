import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError, AvgPool2d, BatchNorm1d, BatchNorm2d, compile, Conv2d, encodeSafetensors, Linear, loadModel, MaxPool2d, noGrad, type Runtime,
  type SafetensorsTensor, Sequential, setRuntime, tensor, type Tensor,
} from '../../src/index.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
  setRuntime(rt);
});

const file = (name: string, t: SafetensorsTensor) => encodeSafetensors(new Map([[name, t]]));
const count = async (bn: BatchNorm1d) => (await bn.numBatchesTracked.toArray())[0];

describe('PyTorch interop', () => {
  it('num_batches_tracked continues from the loaded count (50, one step → 51), in eager and compiled steps', async () => {
    const rng = new Rng();
    const bn = new BatchNorm1d(3, { runtime: rt });
    const model = new Sequential(new Linear(2, 3, { runtime: rt }), bn);
    loadModel(model, file('1.num_batches_tracked', { dtype: 'I64', shape: [], data: BigInt64Array.of(50n) }), { strict: false });
    expect(await count(bn)).toBe(50);
    const x = tensor(rng.normal(8), [4, 2], 'f32', rt);
    noGrad(() => model.forward(x)).dispose();
    expect(await count(bn)).toBe(51);
    const step = compile((t: Tensor) => noGrad(() => model.forward(t)), { runtime: rt });
    for (let i = 0; i < 3; i++) step(x).dispose(); // trace + 2 replays
    expect(await count(bn)).toBe(54);
    model.eval();
    noGrad(() => model.forward(x)).dispose();
    expect(await count(bn)).toBe(54);
    step.dispose();
  });

  it('accepts num_batches_tracked stored as F32 (or any numeric dtype) when its values are integers', async () => {
    const bn = new BatchNorm1d(3, { runtime: rt });
    const model = new Sequential(bn);
    loadModel(model, file('0.num_batches_tracked', { dtype: 'F32', shape: [], data: Float32Array.of(50) }), { strict: false });
    expect(await count(bn)).toBe(50);
    loadModel(model, file('0.num_batches_tracked', { dtype: 'F64', shape: [], data: Float64Array.of(7) }), { strict: false });
    expect(await count(bn)).toBe(7);
    expect(() => loadModel(model, file('0.num_batches_tracked', { dtype: 'F32', shape: [], data: Float32Array.of(2.5) }), { strict: false }))
      .toThrow(/loadModel: 0\.num_batches_tracked: F32 value 2\.5 at index 0 is not an integer that fits the module's i32 tensor/);
    expect(await count(bn)).toBe(7);
    // Integers into a float tensor convert too (PyTorch's copy_).
    loadModel(model, file('0.running_mean', { dtype: 'I64', shape: [3], data: BigInt64Array.of(1n, -2n, 3n) }), { strict: false });
    expect(Array.from(await bn.runningMean.toArray())).toEqual([1, -2, 3]);
  });

  it("accepts PyTorch's positional constructor forms and refuses bad or unsupported ones when the layer is built", async () => {
    const x = tensor(new Rng().normal(2 * 1 * 6 * 6), [2, 1, 6, 6], 'f32', rt);
    expect(new MaxPool2d(2).forward(x).shape).toEqual([2, 1, 3, 3]);
    expect(new MaxPool2d(3, 1, 1).forward(x).shape).toEqual([2, 1, 6, 6]);
    expect(new MaxPool2d(2, null).opts).toEqual({ kernelSize: 2 });
    expect(new AvgPool2d(2, 2).forward(x).shape).toEqual([2, 1, 3, 3]);
    expect(new AvgPool2d(3, 1, 1, false, false).opts).toEqual({ kernelSize: 3, stride: 1, padding: 1, countIncludePad: false });
    const conv = new Conv2d(1, 6, 5);
    expect(conv.weight.shape).toEqual([6, 1, 5, 5]);
    expect(conv.forward(x).shape).toEqual([2, 6, 2, 2]);
    const strided = new Conv2d(1, 4, 3, 2, 1, 1, 1, false);
    expect(strided.bias).toBeNull();
    expect(strided.forward(x).shape).toEqual([2, 4, 3, 3]);
    expect(new Linear(4, 3, false).bias).toBeNull();
    expect(new Linear(4, 3).weight.shape).toEqual([3, 4]);
    const bn = new BatchNorm2d(6, 1e-3, 0.2, false);
    expect(bn.opts).toEqual({ eps: 1e-3, momentum: 0.2, affine: false });
    expect(bn.weight).toBeNull();

    expect(() => new MaxPool2d(undefined as unknown as number)).toThrow(/MaxPool2d: expects a kernel size or options, got undefined/);
    expect(() => new MaxPool2d(2.5)).toThrow(/MaxPool2d: kernelSize must be an integer ≥ 1 or a pair of them, got 2.5/);
    expect(() => new MaxPool2d(2, 2, 0, 2)).toThrow(/MaxPool2d: dilation = 2 is not supported/);
    expect(() => new MaxPool2d(2, 2, 0, 1, false, true)).toThrow(/MaxPool2d: ceilMode = true is not supported/);
    expect(() => new MaxPool2d(2, 2, 2)).toThrow(/padding \[2, 2\] must be at most half the kernel size/);
    expect(() => new AvgPool2d(2, 2, 0, false, true, 3)).toThrow(/AvgPool2d: divisorOverride = 3 is not supported/);
    expect(() => new Conv2d(1, 6, 0)).toThrow(/Conv2d: kernelSize must be an integer ≥ 1/);
    expect(() => new Conv2d(1, 6, 3, 1, 'same')).toThrow(/Conv2d: padding 'same' is not supported/);
    expect(() => new BatchNorm2d(6, 1e-5, null)).toThrow(/BatchNorm2d: momentum = null .* is not supported/);
    expect(() => new BatchNorm2d(6, 1e-5, 0.1, true, false)).toThrow(/BatchNorm2d: trackRunningStats = false is not supported/);
    expect(() => new MaxPool2d({ kernelSize: 2 }, 2)).toThrow(ArgumentError);
  });
});
