import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, globals } from 'webgpu';
import { runSmokeCompute, smokeExpected, smokeInput } from '../shared/smoke-compute.js';

// dawn.node: GPUBufferUsage, GPUMapMode, ... as globals, like in a browser.
Object.assign(globalThis, globals);

describe('WebGPU in Node (dawn.node)', () => {
  // Held for the whole file: dawn.node crashes the process when the GPU object is collected while its
  // adapter and device live (seen as "Worker exited unexpectedly" when GC ran mid-file).
  let gpu: GPU;
  let adapter: GPUAdapter;
  let device: GPUDevice;

  beforeAll(async () => {
    expect(process.env.VK_ICD_FILENAMES, 'VK_ICD_FILENAMES should be set by vitest.config.ts').toBeTruthy();
    gpu = create([]);
    const a = await gpu.requestAdapter();
    expect(a, 'requestAdapter() returned null: is libvulkan1 installed and VK_ICD_FILENAMES valid?').not.toBeNull();
    adapter = a!;
    device = await adapter.requestDevice();
  });

  afterAll(() => device?.destroy());

  it('provides an adapter', () => {
    expect(adapter.limits.maxComputeWorkgroupSizeX).toBeGreaterThanOrEqual(64);
  });

  it('runs a compute shader and reads the storage buffer back', async () => {
    const input = smokeInput();
    const out = await runSmokeCompute(device, input);
    expect(out.length).toBe(input.length);
    expect(Array.from(out)).toEqual(Array.from(smokeExpected(input)));
  });
});
