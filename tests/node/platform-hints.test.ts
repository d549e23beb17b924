import { describe, expect, it } from 'vitest';
import { init, WebGPUUnavailableError } from '../../src/index.js';
import { currentPlatform, noAdapterHint, noWebGPUHint, SWIFTSHADER_ICD } from '../../src/platform-hints.js';

/** A GPU object whose adapter request finds nothing, as dawn.node's does on a machine without a Vulkan driver. */
const noAdapterGpu = { requestAdapter: async () => null } as unknown as GPU;

describe('init without WebGPU says what to try on this platform', () => {
  it('knows it runs in Node here', () => {
    expect(currentPlatform()).toBe('node');
  });

  it('no GPU object in Node: names the webgpu package and create()', async () => {
    const err = await init().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebGPUUnavailableError);
    expect((err as WebGPUUnavailableError).platform).toBe('node');
    expect((err as Error).message).toMatch(/^init: WebGPU is not available .*Node has no navigator\.gpu: install the `webgpu` package .*init\(\{ gpu: create\(\[\]\) \}\)/);
  });

  it('no adapter in Node without VK_ICD_FILENAMES: suggests SwiftShader by path, the GPU driver and the null backend', async () => {
    const prev = { icd: process.env.VK_ICD_FILENAMES, drv: process.env.VK_DRIVER_FILES };
    delete process.env.VK_ICD_FILENAMES;
    delete process.env.VK_DRIVER_FILES;
    try {
      const err = await init({ gpu: noAdapterGpu }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WebGPUUnavailableError);
      const msg = (err as Error).message;
      expect(msg).toContain('init: requestAdapter() returned no adapter. dawn.node found no Vulkan adapter.');
      expect(msg).toContain(`VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`);
      expect(msg).toContain("create(['backend=null'])");
      expect(msg).not.toContain('chrome://gpu');
    } finally {
      if (prev.icd !== undefined) process.env.VK_ICD_FILENAMES = prev.icd;
      if (prev.drv !== undefined) process.env.VK_DRIVER_FILES = prev.drv;
    }
  });

  it('no adapter in Node with VK_ICD_FILENAMES set: points at that file', () => {
    const hint = noAdapterHint('node', { VK_ICD_FILENAMES: '/nowhere/icd.json' }, 'linux');
    expect(hint).toContain('VK_ICD_FILENAMES/VK_DRIVER_FILES is set to /nowhere/icd.json: check that this file exists');
  });

  it('no adapter in Node on macOS/Windows: the platform driver, not Vulkan ICDs', () => {
    const hint = noAdapterHint('node', {}, 'darwin');
    expect(hint).toMatch(/on darwin: check the GPU driver \(Metal on macOS/);
    expect(hint).not.toContain('VK_ICD_FILENAMES');
  });

  it('in a browser: browser flags and chrome://gpu, nothing about Node', () => {
    expect(noAdapterHint('browser')).toMatch(/chrome:\/\/gpu.*--enable-unsafe-webgpu/);
    expect(noWebGPUHint('browser')).toMatch(/secure context .*--enable-unsafe-webgpu/);
    for (const h of [noAdapterHint('browser'), noWebGPUHint('browser')]) expect(h).not.toMatch(/webgpu` package|VK_ICD/);
  });
});
