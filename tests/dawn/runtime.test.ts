import { beforeAll, describe, expect, it } from 'vitest';
import { init, rand, tensor, type Runtime } from '../../src/index.js';
import { matmulWithTile } from '../../src/ops/matmul.js';
import { refRand } from '../../src/reference/philox.js';
import { expectClose, expectEqual } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';

// The same library code under Node through dawn.node (the path Node users and the GPU benchmark take).
let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

describe('wgsl-nn on dawn.node', () => {
  it('runs on a dawn adapter', () => {
    expect(rt.adapter.description.length + rt.adapter.vendor.length).toBeGreaterThan(0);
  });

  it('round-trips data and generates the reference random numbers', async () => {
    expectEqual(await tensor([[1, 2], [3, 4]]).toArray(), [1, 2, 3, 4]);
    expectClose(await rand([37], { seed: 99 }).toArray(), refRand(37, 99, 0), { rtol: 0, atol: 2 ** -23 });
  });

  it('refuses a matmul tile whose workgroup memory the device does not allow, before any GPU work', async () => {
    const small = await init({ gpu: rt.gpuObject!, requiredLimits: { maxComputeWorkgroupStorageSize: 16384 }, setCurrent: false });
    const a = tensor(new Float32Array(16), [4, 4], 'f32', small);
    const before = small.stats.dispatches;
    expect(() => matmulWithTile(a, a, {}, 'largeDeep')).toThrow("matmul: tile 'largeDeep' needs 16896 bytes of workgroup memory; this device allows 16384");
    expect(small.stats.dispatches).toBe(before);
    expectClose(await matmulWithTile(a, a, {}, 'large').toArray(), new Float32Array(16), { rtol: 0, atol: 0 });
    small.destroy();
  });
});
