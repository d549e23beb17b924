import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/buffer-pool.js';
import { StagingRing } from '../../src/staging.js';
import { readIdx } from '../../src/data/idx.js';
import { DataFormatError } from '../../src/io/errors.js';
import { ArgumentError, Conv2d } from '../../src/index.js';

/** A device that records the buffer sizes asked for and refuses any over its maxBufferSize (as WebGPU does). */
function fakeDevice(maxBufferSize: number): { device: GPUDevice; sizes: number[] } {
  const sizes: number[] = [];
  const device = {
    limits: { maxBufferSize },
    createBuffer(d: GPUBufferDescriptor) {
      if (d.size > maxBufferSize) throw new Error(`createBuffer: size ${d.size} over maxBufferSize ${maxBufferSize}`);
      sizes.push(d.size);
      return { size: d.size, destroy() {} } as unknown as GPUBuffer;
    },
  } as unknown as GPUDevice;
  return { device, sizes };
}

describe('buffers up to the device\'s maxBufferSize when it is not a size class', () => {
  // 1,000,000,004 bytes: between the classes 939,524,096 and 1,006,632,960.
  const max = 1_000_000_004;

  it('the pool gives a buffer of exactly the limit for a tensor that fills it, and a class below it otherwise', () => {
    const { device, sizes } = fakeDevice(max);
    const pool = new BufferPool(device, () => {});
    expect(pool.sizeOf(pool.acquire(max))).toBe(max);
    expect(pool.sizeOf(pool.acquire(max - 1000))).toBe(max);
    expect(pool.sizeOf(pool.acquire(900_000_000))).toBe(939_524_096);
    expect(sizes).toEqual([max, max, 939_524_096]);
  });

  it('the staging ring reads back a tensor of the limit with a buffer no larger (it asked for twice the size)', () => {
    const { device, sizes } = fakeDevice(max);
    const ring = new StagingRing(device);
    expect(ring.acquire(max).size).toBe(max);
    // Smaller reads waste at most one size class step (12.5%), not up to 100%.
    expect(ring.acquire(600_000_000).size).toBeLessThanOrEqual(600_000_000 * 1.125);
    expect(ring.acquire(600_000_000).size).toBeGreaterThanOrEqual(600_000_000);
    expect(sizes.every((s) => s <= max && s % 4 === 0)).toBe(true);
  });
});

describe('gzip IDX refused as soon as it inflates past the size its header declares', () => {
  it('stops at the declared size instead of inflating the whole stream', async () => {
    // A header declaring 10 u8 values, then 64 MiB of zeros (64 KiB gzipped): a decompression bomb.
    const header = Uint8Array.of(0, 0, 0x08, 1, 0, 0, 0, 10);
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(64 * 2 ** 20)]));
    const e = await readIdx(bomb, 'bomb.gz').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataFormatError);
    expect((e as Error).message).toMatch(/bomb\.gz: .*inflates past the 18 bytes its IDX header declares/);
  });

  it('still reads a valid gzip file whose header arrives split over chunks, and reports a short one as truncated', async () => {
    const values = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);
    const file = Buffer.concat([Uint8Array.of(0, 0, 0x08, 2, 0, 0, 0x03, 0xe8, 0, 0, 0, 100), values]);
    const out = await readIdx(gzipSync(file), 'ok.gz');
    expect(out.shape).toEqual([1000, 100]);
    expect([...out.data.subarray(0, 4)]).toEqual([0, 31, 62, 93]);
    await expect(readIdx(gzipSync(file.subarray(0, 5000)), 'short.gz')).rejects.toThrow(/truncated/);
  });
});

describe('layers with no channels', () => {
  it('Conv2d(0, …), Conv2d(…, 0, …) and a zero kernel are refused at construction', () => {
    expect(() => new Conv2d(0, 4, 3)).toThrow(ArgumentError);
    expect(() => new Conv2d(0, 4, 3)).toThrow('Conv2d: inChannels must be a positive integer, got 0');
    expect(() => new Conv2d(3, 0, 3)).toThrow('Conv2d: outChannels must be a positive integer, got 0');
    expect(() => new Conv2d(3, 4, [3, 0])).toThrow('Conv2d: kernelSize must be an integer ≥ 1 or a pair of them, got [3,0]');
    expect(() => new Conv2d(2.5, 4, 3)).toThrow(/inChannels must be a positive integer/);
  });
});
