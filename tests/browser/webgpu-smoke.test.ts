import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmokeCompute, smokeExpected, smokeInput } from '../shared/smoke-compute.js';

describe('WebGPU in headless Chromium', () => {
  let adapter: GPUAdapter;
  let device: GPUDevice;

  beforeAll(async () => {
    expect(navigator.gpu, 'navigator.gpu is missing: was Chromium started with --enable-unsafe-webgpu?').toBeDefined();
    const a = await navigator.gpu.requestAdapter();
    expect(a, 'requestAdapter() returned null').not.toBeNull();
    adapter = a!;
    device = await adapter.requestDevice();
  });

  afterAll(() => device?.destroy());

  it('provides an adapter', () => {
    expect(adapter.info).toBeDefined();
    expect(adapter.limits.maxComputeWorkgroupSizeX).toBeGreaterThanOrEqual(64);
  });

  it('runs a compute shader and reads the storage buffer back', async () => {
    const input = smokeInput();
    const out = await runSmokeCompute(device, input);
    expect(out.length).toBe(input.length);
    expect(Array.from(out)).toEqual(Array.from(smokeExpected(input)));
  });
});
