import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam, add, BatchNorm2d, compile, Dropout, init, mul, relu, setRuntime, Conv2d, crossEntropy, Flatten, Linear, MaxPool2d, ReLU, SGD, Sequential, Tanh, seed, tensor, tidy,
  type Module, type Runtime, type Tensor,
} from '../../src/index.js';
import { referenceForward } from '../../src/nn/reference-model.js';
import { refSoftmaxCrossEntropy } from '../../src/reference/loss.js';
import type { RefTensor } from '../../src/reference/ref-tensor.js';
import { expectClose } from '../helpers/compare.js';
import { centralDifferences } from '../helpers/finite-diff.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

/**
 * A LeNet-like net touching conv (padded and not, with and without bias), ReLU/Tanh epilogues, max pool,
 * BatchNorm+ReLU fusion, flatten, linear. The conv before batch norm has no bias, as in PyTorch models:
 * batch norm cancels it, so its gradient is exactly 0 and a finite-difference check of it could only
 * compare f32 cancellation noise (~1e-7) with a bound scaled by that 0.
 */
function smallNet(): Sequential {
  return new Sequential(
    new Conv2d(1, 2, 3, { padding: 1 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
    new Conv2d(2, 3, 3, { bias: false }), new BatchNorm2d(3), new ReLU(),
    new Flatten(), new Linear(12, 4), new Tanh(), new Linear(4, 3),
  );
}

async function paramsOf(model: Module): Promise<Map<string, RefTensor>> {
  const out = new Map<string, RefTensor>();
  for (const [name, t] of model.namedParameters()) out.set(name, { shape: [...t.shape], data: Float64Array.from(await t.toArray()) });
  return out;
}

describe('whole-model gradients', () => {
  it('match central finite differences of the float64 reference model', async () => {
    seed(7);
    const rng = new Rng();
    const model = smallNet();
    const xs = rng.normal(3 * 64);
    const labels = Int32Array.of(0, 2, 1);
    const x = tensor(xs, [3, 1, 8, 8]);
    tidy(() => {
      const loss = crossEntropy(model.forward(x), labels);
      loss.backward();
      return loss;
    });
    const params = await paramsOf(model);
    const xRef: RefTensor = { shape: [3, 1, 8, 8], data: Float64Array.from(xs) };
    const lossOf = () => refSoftmaxCrossEntropy(referenceForward(model, xRef, params), labels).data[0]!;
    for (const [name, t] of model.namedParameters()) {
      const p = params.get(name)!;
      const fd = centralDifferences(lossOf, p.data);
      const scale = Math.max(...Array.from(fd, Math.abs));
      // GPU f32 gradients vs float64 central differences: 1e-3 of the tensor's largest gradient.
      expectClose(await t.grad!.toArray(), fd, { rtol: 0, atol: 1e-3 * scale + 1e-7 }, `d loss / d ${name}`);
    }
  });
});

describe('compiled steps', () => {
  function setup() {
    seed(11);
    const model = smallNet();
    const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const stepFn = (x: Tensor, y: Tensor) => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    };
    return { model, opt, stepFn };
  }

  function batches(n: number): { x: Float32Array; y: Int32Array }[] {
    const rng = new Rng();
    return Array.from({ length: n }, () => ({ x: rng.normal(3 * 64), y: rng.int(3, 0, 3) }));
  }

  it('give the same parameters as eager steps after 5 steps', async () => {
    const data = batches(5);
    const eager = setup();
    const losses: number[] = [];
    for (const b of data) {
      const l = tidy(() => eager.stepFn(tensor(b.x, [3, 1, 8, 8]), tensor(b.y)));
      losses.push(await l.item());
      l.dispose();
    }
    const compiled = setup();
    const step = compile(compiled.stepFn, { inputShapes: [[1, 8, 8], []] });
    const closses: number[] = [];
    for (const b of data) {
      const l = step(b.x, b.y);
      closses.push(await l.item());
      l.dispose();
    }
    expect(step.plans).toBe(1);
    // Same kernels in the same order: equal up to f32 reassociation-free rounding (they should match exactly).
    expectClose(closses, losses, { rtol: 1e-5 }, 'losses');
    const a = eager.model.namedParameters(), b = compiled.model.namedParameters();
    for (let i = 0; i < a.length; i++) expectClose(await b[i]![1].toArray(), await a[i]![1].toArray(), { rtol: 1e-5, atol: 1e-7 }, a[i]![0]);
    const mem = step.memory()!;
    expect(mem.peakBytes).toBeLessThan(mem.naiveBytes);
    // Every gradient is written straight into the optimizer's arena and the hyperparameters are written
    // before the submit: nothing is copied mid-step, so the whole step is one compute pass.
    const counts = step.counts()!;
    expect(counts.elidedCopies).toBe(compiled.model.parameters().length);
    expect(counts.copies).toBe(0);
    expect(counts.passes).toBe(1);
    // The backward's seed of ones, which the fused cross-entropy gradient never reads.
    expect(counts.deadDispatches).toBe(1);
    step.dispose();
  });

  it('keep constants made inside the step right when liveness packing gives them a buffer used earlier in the step', async () => {
    // Each constant is uploaded into a buffer that, after packing, an earlier intermediate of the same size
    // also uses: writing it before the submit (a "direct" upload) would let that intermediate overwrite it.
    const fn = (x: Tensor) => tidy(() => {
      let t = x;
      for (let i = 0; i < 3; i++) t = relu(mul(t, 2));
      const c = tensor(Float32Array.from({ length: 12 }, (_, i) => i - 5), [3, 4]);
      const d = tensor(Float32Array.from({ length: 12 }, (_, i) => 0.5 * i), [3, 4]);
      return add(mul(t, c), d);
    });
    const step = compile(fn, { inputShapes: [[4]] });
    const rng = new Rng();
    for (let k = 0; k < 3; k++) {
      const x = rng.normal(12);
      const got = step(x);
      const want = fn(tensor(x, [3, 4]));
      expectClose(await got.toArray(), await want.toArray(), { rtol: 0, atol: 0 }, `replay ${k}`);
      got.dispose();
      want.dispose();
    }
    expect(step.plans).toBe(1);
    // Both ways ran: one constant's buffer is free before its upload (written before the submit), the
    // other's is not (copied in at its place in the step).
    const counts = step.counts()!;
    expect(counts.directUploads + counts.copies).toBe(2);
    expect(counts.copies).toBeGreaterThanOrEqual(1);
    step.dispose();
  });

  it('accumulate gradients over steps without zeroGrad like eager steps (no copy is elided into a range the step reads)', async () => {
    const data = batches(3);
    const accumulating = () => {
      const s = setup();
      return {
        ...s,
        stepFn: (x: Tensor, y: Tensor) => {
          const loss = crossEntropy(s.model.forward(x), y);
          loss.backward();
          s.opt.step();
          return loss;
        },
      };
    };
    const eagerStep = (s: ReturnType<typeof accumulating>, b: { x: Float32Array; y: Int32Array }) =>
      tidy(() => s.stepFn(tensor(b.x, [3, 1, 8, 8]), tensor(b.y)));
    const eager = accumulating();
    for (const b of data) eagerStep(eager, b);
    // One eager step first: a trace freezes what it sees, so it must see gradients to add into.
    const compiled = accumulating();
    eagerStep(compiled, data[0]!);
    const step = compile(compiled.stepFn, { inputShapes: [[1, 8, 8], []] });
    for (const b of data.slice(1)) step(b.x, b.y).dispose();
    expect(step.plans).toBe(1);
    expect(step.counts()!.elidedCopies).toBe(0);
    const a = eager.model.namedParameters(), b = compiled.model.namedParameters();
    for (let i = 0; i < a.length; i++) {
      expectClose(await b[i]![1].toArray(), await a[i]![1].toArray(), { rtol: 1e-5, atol: 1e-7 }, a[i]![0]);
      expectClose(await b[i]![1].grad!.toArray(), await a[i]![1].grad!.toArray(), { rtol: 1e-5, atol: 1e-7 }, `${a[i]![0]}.grad`);
    }
    step.dispose();
  });

  it('replay with 0 new pipelines, bind groups and buffers and exactly one queue.submit per step', async () => {
    // A plain runtime: the test runtime's NaN poisoning dispatches a fill for every allocation.
    const plain = await init({ gpu: navigator.gpu });
    const { stepFn } = setup();
    const step = compile(stepFn, { inputShapes: [[1, 8, 8], []] });
    const data = batches(2);
    step(data[0]!.x, data[0]!.y).dispose();
    await plain.sync();
    const device = plain.device;
    const counts = { pipelines: 0, bindGroups: 0, buffers: 0, submits: 0 };
    const orig = {
      cp: device.createComputePipeline, bg: device.createBindGroup, buf: device.createBuffer, submit: device.queue.submit,
    };
    device.createComputePipeline = function (this: GPUDevice, ...args) { counts.pipelines++; return orig.cp.apply(this, args); };
    device.createBindGroup = function (this: GPUDevice, ...args) { counts.bindGroups++; return orig.bg.apply(this, args); };
    device.createBuffer = function (this: GPUDevice, ...args) { counts.buffers++; return orig.buf.apply(this, args); };
    device.queue.submit = function (this: GPUQueue, ...args) { counts.submits++; return orig.submit.apply(this, args); };
    try {
      for (let i = 0; i < 20; i++) step(data[i % 2]!.x, data[i % 2]!.y).dispose();
    } finally {
      Object.assign(device, { createComputePipeline: orig.cp, createBindGroup: orig.bg, createBuffer: orig.buf });
      device.queue.submit = orig.submit;
    }
    expect(counts.pipelines, 'pipelines created').toBe(0);
    expect(counts.bindGroups, 'bind groups created').toBe(0);
    expect(counts.buffers, 'buffers created').toBe(0);
    expect(counts.submits, 'queue.submit calls').toBe(20);
    step.dispose();
    plain.destroy();
    setRuntime(rt);
  });

  it('leak nothing: live buffers and bytes are the same after step 10 and step 1,000', async () => {
    // A small MLP with dropout keeps 1,000 steps quick on the CPU-emulated GPU.
    seed(5);
    const model = new Sequential(new Flatten(), new Linear(64, 16), new ReLU(), new Dropout(0.25, { seed: 1 }), new Linear(16, 3));
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const step = compile((x: Tensor, y: Tensor) => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    }, { inputShapes: [[1, 8, 8], []] });
    const data = batches(4);
    let at10 = rt.memory();
    for (let i = 1; i <= 1000; i++) {
      step(data[i % 4]!.x, data[i % 4]!.y).dispose();
      if (i === 10) {
        await rt.sync();
        at10 = rt.memory();
      }
      if (i % 100 === 0) await rt.sync();
    }
    await rt.sync();
    const at1000 = rt.memory();
    expect(at1000.liveBuffers).toBe(at10.liveBuffers);
    expect(at1000.liveBytes).toBe(at10.liveBytes);
    expect(at1000.inUseBuffers).toBe(at10.inUseBuffers);
    step.dispose();
  });
});
