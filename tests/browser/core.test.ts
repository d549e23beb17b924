import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError, DeviceLostError, DTypeError, GPUValidationError, init, ones, rand, randn, ShapeError, tensor, tidy, zeros, full,
  type Runtime,
} from '../../src/index.js';
import { fillKernel } from '../../kernels/fill.js';
import { refRand } from '../../src/reference/philox.js';
import { expectClose, expectEqual } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

describe('device', () => {
  it('exposes adapter info, limits and features, with the adapter maximum storage binding asked for', () => {
    expect(typeof rt.adapter.vendor).toBe('string');
    expect(rt.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 << 20);
    expect(rt.features).toBeInstanceOf(Set);
  });
});

describe('tensor', () => {
  it('round-trips f32, i32 and u32 data with its shape', async () => {
    const a = tensor([[1.5, -2], [3, 4e-3]]);
    expect(a.shape).toEqual([2, 2]);
    expectEqual(await a.toArray(), Float32Array.of(1.5, -2, 3, 4e-3));
    const b = tensor(Int32Array.of(-7, 0, 2147483647), [3]);
    expect(b.dtype).toBe('i32');
    expectEqual(await b.toArray(), [-7, 0, 2147483647]);
    const c = tensor([1, 2, 4294967295], undefined, 'u32');
    expectEqual(await c.toArray(), [1, 2, 4294967295]);
    expect(await tensor([5]).item()).toBe(5);
  });

  it('validates data, shape and dtype before any GPU work', () => {
    const before = rt.stats.dispatches + rt.stats.uploads;
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/rectangular/);
    expect(() => tensor([1.5], [1], 'i32')).toThrow(DTypeError);
    expect(() => full([2], 0.5, 'i32')).toThrow(/not an integer/);
    expect(rt.stats.dispatches + rt.stats.uploads).toBe(before);
  });

  it('fills zeros, ones and full for every dtype, across sizes that are not multiples of the workgroup', async () => {
    for (const n of [1, 3, 255, 257, 1000]) {
      expectEqual(await zeros([n]).toArray(), new Float32Array(n));
      expectEqual(await ones([n], 'i32').toArray(), new Int32Array(n).fill(1));
      expectEqual(await full([n], -2.25).toArray(), new Float32Array(n).fill(-2.25));
    }
    expectEqual(await full([3], -5, 'i32').toArray(), [-5, -5, -5]);
  });

  it('reshape and flatten are views over the same buffer', async () => {
    const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const v = a.reshape([3, -1]);
    expect(v.shape).toEqual([3, 2]);
    expect(v.buffer().buffer).toBe(a.buffer().buffer);
    a.dispose();
    expectEqual(await v.toArray(), [1, 2, 3, 4, 5, 6]);
    expect(tensor([1, 2, 3, 4], [2, 1, 2]).flatten(1).shape).toEqual([2, 2]);
  });

  it('refuses to use a disposed tensor', async () => {
    const a = ones([4]);
    a.dispose();
    await expect(a.toArray()).rejects.toThrow(ArgumentError);
    expect(() => a.reshape([2, 2])).toThrow(/disposed/);
  });
});

describe('random numbers on the GPU', () => {
  it('rand matches the CPU Philox reference and the same seed repeats', async () => {
    const n = 1001;
    const a = await rand([n], { seed: 1234567, low: -2, high: 3 }).toArray();
    // f32 rounding of low + (high - low)·u: relative 1e-6 of the range.
    expectClose(a, refRand(n, 1234567, 0, -2, 3), { rtol: 0, atol: 5 * 2 ** -23 * 4 });
    expectEqual(await rand([n], { seed: 1234567, low: -2, high: 3 }).toArray(), a);
    const b = await rand([n], { seed: 1234568, low: -2, high: 3 }).toArray();
    expect(Array.from(b).filter((x, i) => x === a[i]).length).toBeLessThan(5);
  });

  it('randn has mean ≈ 0 and std ≈ 1 and successive unseeded calls differ', async () => {
    const n = 1 << 16;
    const v = await randn([n]).toArray();
    let m = 0, s = 0;
    for (const x of v) { m += x; s += x * x; }
    m /= n;
    const std = Math.sqrt(s / n - m * m);
    // 5 standard errors: mean ± 5/√n, std ± 5/√(2n).
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(std - 1)).toBeLessThan(5 / Math.sqrt(2 * n));
    const w = await randn([n]).toArray();
    expect(w[0]).not.toBe(v[0]);
    const shifted = await randn([n], { seed: 3, mean: 10, std: 0.5 }).toArray();
    expect(Math.abs(Array.from(shifted).reduce((x, y) => x + y, 0) / n - 10)).toBeLessThan(5 * 0.5 / Math.sqrt(n));
  });
});

describe('buffer pool and tidy', () => {
  it('steady-state work creates no buffers and tidy frees what it does not return', async () => {
    const step = () => tidy(() => {
      const a = ones([300]);
      const b = zeros([17, 3]);
      full([5], 2);
      return a.reshape([3, 100]);
    });
    step().dispose();
    await rt.sync();
    const before = rt.memory();
    const createdBefore = rt.stats.buffersCreated;
    for (let i = 0; i < 20; i++) step().dispose();
    await rt.sync();
    const after = rt.memory();
    expect(rt.stats.buffersCreated).toBe(createdBefore);
    expect(after.liveBuffers).toBe(before.liveBuffers);
    expect(after.inUseBuffers).toBe(before.inUseBuffers);
  });

  it('keeps a returned tensor alive and its data intact', async () => {
    const kept = tidy(() => tensor([1, 2, 3]));
    expectEqual(await kept.toArray(), [1, 2, 3]);
  });
});

describe('dispatch grids and GPU errors', () => {
  it('runs a dispatch of more than 65,535 workgroups (folded into a 2-D grid)', async () => {
    const n = 65_535 * 256 + 1000;
    const t = full([n], 7);
    const v = await t.toArray();
    expect(v[0]).toBe(7);
    expect(v[65_535 * 256 - 1]).toBe(7);
    expect(v[n - 1]).toBe(7);
    expect(v.every((x) => x === 7)).toBe(true);
    t.dispose();
  });

  it('turns a validation error into a typed error naming the op and kernel', async () => {
    const t = zeros([4]);
    await rt.sync();
    // A grid over the per-dimension limit is a validation error.
    rt.dispatch({ op: 'badOp', kernel: fillKernel, bindings: { out: t.buffer(), p: Uint32Array.of(4, 0) }, workgroups: [rt.limits.maxComputeWorkgroupsPerDimension + 1, 1, 1] });
    const err = await rt.checkErrors().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(GPUValidationError);
    expect((err as GPUValidationError).context.ops).toContain('badOp');
    expect((err as GPUValidationError).message).toMatch(/badOp/);
    await rt.sync();
  });

  it('reports a lost device as DeviceLostError on the next op', async () => {
    const gpu = (globalThis as { navigator?: Navigator }).navigator?.gpu;
    if (!gpu) return;
    const own = await init({ gpu, setCurrent: false });
    own.device.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(() => zeros([2], 'f32', own)).toThrow(DeviceLostError);
  });
});
