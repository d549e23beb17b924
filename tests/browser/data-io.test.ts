import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError, BatchNorm1d, empty, init, Linear, ReLU, ShapeError, tensor, zeros, type Runtime, type Tensor,
} from '../../src/index.js';
import { GpuBatchStream } from '../../src/data/gpu-stream.js';
import { readIdx } from '../../src/data/idx.js';
import { DataLoader, InMemoryDataset } from '../../src/data/loader.js';
import { readBytes } from '../../src/io/bytes.js';
import { loadModel, saveModel } from '../../src/io/model.js';
import { Module, Sequential } from '../../src/nn/module.js';
import fixtureUrl from '../fixtures/torch-small.safetensors?url';
import fixture from '../fixtures/torch-small.json';
import { expectClose, expectEqual } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

/** Holds nn.Linear's state (weight [out, in], bias [out]); forward is never run, only state moves here. */
class LinearState extends Module {
  constructor(inFeatures: number, outFeatures: number) {
    super();
    this.registerParameter('weight', zeros([outFeatures, inFeatures]));
    this.registerParameter('bias', zeros([outFeatures]));
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Holds nn.BatchNorm1d's state, with num_batches_tracked as an i32 scalar (PyTorch: int64). */
class BatchNormState extends Module {
  constructor(features: number, counterDtype: 'i32' | 'f32' = 'i32') {
    super();
    this.registerParameter('weight', zeros([features]));
    this.registerParameter('bias', zeros([features]));
    this.registerBuffer('running_mean', zeros([features]));
    this.registerBuffer('running_var', zeros([features]));
    this.registerBuffer('num_batches_tracked', zeros([], counterDtype));
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Stands for nn.ReLU: a child without state, so names skip index 2 as in PyTorch. */
class Stateless extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** The fixture's architecture: Sequential(Linear(3, 4), BatchNorm1d(4), ReLU(), Linear(4, 2)). */
const torchSmall = (hidden = 4, counterDtype: 'i32' | 'f32' = 'i32') =>
  new Sequential(new LinearState(3, hidden), new BatchNormState(hidden, counterDtype), new Stateless(), new LinearState(hidden, 2));

const expected = fixture.tensors as Record<string, { shape: number[]; values: number[] }>;

describe('saveModel / loadModel', () => {
  it('loads the PyTorch fixture with exact values, I64 num_batches_tracked into i32, and hands back the optimizer state', async () => {
    const bytes = await readBytes(fixtureUrl);
    const model = torchSmall();
    const { optimizerState, metadata } = loadModel(model, bytes, { name: 'torch-small.safetensors' });
    expect(metadata).toEqual({ format: 'pt' });
    for (const [name, t] of model.stateDict()) {
      expect(t.shape, name).toEqual(expected[name]!.shape);
      expectEqual(await t.toArray(), expected[name]!.values, name);
    }
    expect((await model.stateDict().get('1.num_batches_tracked')!.toArray()) instanceof Int32Array).toBe(true);
    const optimizerNames = Object.keys(expected).filter((k) => k.startsWith('optimizer.')).map((k) => k.slice('optimizer.'.length));
    expect([...optimizerState.keys()].sort()).toEqual(optimizerNames.sort());
    expect(optimizerState.get('state.0.exp_avg')!.shape).toEqual([4, 3]);
    expectEqual(optimizerState.get('state.5.step')!.data, expected['optimizer.state.5.step']!.values, 'step');
  });

  it('saves the same bytes PyTorch wrote: names, F32 values, I64 counter, optimizer state, metadata', async () => {
    const bytes = await readBytes(fixtureUrl);
    const model = torchSmall();
    const { optimizerState } = loadModel(model, bytes);
    const state = new Map<string, Tensor>([...optimizerState].map(([k, v]) => [k, tensor(v.data, v.shape)]));
    const saved = await saveModel(model, { optimizerState: state });
    expect(saved).toEqual(bytes);
  });

  it('refuses mismatched shapes, names and dtypes before writing anything', async () => {
    const bytes = await readBytes(fixtureUrl);
    const wider = torchSmall(5);
    expect(() => loadModel(wider, bytes)).toThrow(ShapeError);
    expect(() => loadModel(wider, bytes)).toThrow(/0\.bias: the file's shape must match the module's; got shapes \[5\], \[4\]/);
    expectEqual(await wider.stateDict().get('0.bias')!.toArray(), new Float32Array(5), 'untouched');
    // An integer count into an f32 buffer converts, as PyTorch's load_state_dict (copy_) does.
    const asFloat = torchSmall(4, 'f32');
    loadModel(asFloat, bytes);
    expectEqual(await asFloat.stateDict().get('1.num_batches_tracked')!.toArray(), expected['1.num_batches_tracked']!.values, 'I64 count into f32');
    const fewer = new Sequential(new LinearState(3, 4));
    expect(() => loadModel(fewer, bytes)).toThrow(ArgumentError);
    expect(() => loadModel(fewer, bytes)).toThrow(/missing keys \[\], unexpected keys \[1\.num_batches_tracked, 1\.bias, 1\.running_mean, 1\.running_var, 1\.weight, 3\.bias, 3\.weight\]$/);
    loadModel(fewer, bytes, { strict: false });
    expectEqual(await fewer.stateDict().get('0.bias')!.toArray(), expected['0.bias']!.values, 'non-strict load');
  });

  it('gives PyTorch\'s eval-mode output once the library\'s own layers load the weights', async () => {
    const model = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Linear(4, 2));
    loadModel(model, await readBytes(fixtureUrl));
    model.eval();
    const { input, output } = fixture.eval;
    const y = model.forward(tensor(Float32Array.from(input.values), input.shape));
    expect(y.shape).toEqual(output.shape);
    // Three small f32 layers (dot products of length ≤ 4) against torch's f32 CPU result: a few ulps each.
    expectClose(await y.toArray(), output.values, { rtol: 1e-5, atol: 1e-6 }, 'eval output');
  });

  it('round-trips a model through saveModel and loadModel', async () => {
    const a = torchSmall();
    loadModel(a, await readBytes(fixtureUrl));
    const b = torchSmall();
    loadModel(b, await saveModel(a, { metadata: { epoch: '7' } }));
    for (const [name, t] of b.stateDict()) expectEqual(await t.toArray(), await a.stateDict().get(name)!.toArray(), name);
  });
});

describe('IDX in the browser', () => {
  it('gunzips with DecompressionStream and names the source when the stream is cut', async () => {
    const raw = Uint8Array.of(0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6);
    const gz = new Uint8Array(await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
    const a = await readIdx(gz, 'tiny.gz');
    expect(a.shape).toEqual([2, 3]);
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(readIdx(gz.subarray(0, gz.length - 5), 'tiny.gz')).rejects.toThrow(/^tiny\.gz: the gzip stream is truncated or corrupt/);
  });
});

/** n samples of shape [1, 2, 3] with label i and values i·10 + j, and a loader over them. */
function numbered(n: number, batchSize: number): DataLoader {
  const x = Float32Array.from({ length: n * 6 }, (_, k) => Math.floor(k / 6) * 10 + (k % 6));
  const ds = new InMemoryDataset(x, Int32Array.from({ length: n }, (_, i) => i), { sampleShape: [1, 2, 3] });
  return new DataLoader(ds, { batchSize, seed: 11 });
}

describe('GpuBatchStream', () => {
  it('uploads each batch, the last partial one included, epoch after epoch', async () => {
    const loader = numbered(11, 4);
    const stream = new GpuBatchStream(loader, rt);
    for (const epoch of [0, 1]) {
      const want = [...loader.batches(epoch)];
      let i = 0;
      for (const b of stream.batches(epoch)) {
        expect(b.x.shape).toEqual([want[i]!.size, 1, 2, 3]);
        expect(b.y.dtype).toBe('i32');
        expectEqual(await b.x.toArray(), want[i]!.x, `epoch ${epoch} batch ${i} x`);
        expectEqual(await b.y.toArray(), want[i]!.y, `epoch ${epoch} batch ${i} y`);
        i++;
      }
      expect(i).toBe(3);
    }
    stream.dispose();
  });

  it('never overwrites a batch before the commands encoded for it have run', async () => {
    // Without poisoning (whose fills force submits), only the ordering of uploads after the open batch protects the data.
    const plain = await init({ gpu: navigator.gpu, setCurrent: false });
    try {
      const loader = numbered(13, 2);
      const stream = new GpuBatchStream(loader, plain);
      const snapshots: Tensor[] = [];
      for (const b of stream.batches(0)) {
        // A "training step" left unsubmitted in the open command buffer: copy the batch aside.
        const snap = empty(b.x.shape, 'f32', 'snapshot', plain);
        const src = b.x.buffer(), dst = snap.buffer();
        plain.copy('snapshot', src.buffer, dst.buffer, b.x.size * 4, src.offset, dst.offset);
        snapshots.push(snap);
      }
      const want = [...loader.batches(0)];
      expect(snapshots.length).toBe(7);
      for (let i = 0; i < want.length; i++) expectEqual(await snapshots[i]!.toArray(), want[i]!.x, `batch ${i}`);
      stream.dispose();
    } finally {
      plain.destroy();
    }
  });
});
