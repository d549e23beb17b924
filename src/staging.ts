/**
 * Ring of MAP_READ staging buffers for readbacks. A buffer is reused once its mapAsync has resolved and it
 * was unmapped, so steady-state reads (e.g. a loss value every step) create no buffers.
 */
import { sizeClass } from './buffer-pool.js';

const MAP_READ = 0x01, COPY_DST = 0x08;

export class StagingRing {
  private readonly free = new Map<number, GPUBuffer[]>();
  created = 0;
  /** The device's maxBufferSize: a readback of a tensor that fills it needs a staging buffer just as large. */
  private readonly maxSize: number;

  constructor(private readonly device: GPUDevice) {
    this.maxSize = device.limits?.maxBufferSize ?? Infinity;
  }

  acquire(bytes: number): GPUBuffer {
    // The pool's size classes (≤ 12.5% over, capped at the limit), not powers of two (up to twice the size).
    const size = sizeClass(Math.ceil(Math.max(bytes, 1) / 4) * 4, this.maxSize);
    const buf = this.free.get(size)?.pop();
    if (buf) return buf;
    this.created++;
    return this.device.createBuffer({ size, usage: MAP_READ | COPY_DST, label: 'wgsl-nn staging' });
  }

  release(buf: GPUBuffer): void {
    let list = this.free.get(buf.size);
    if (!list) this.free.set(buf.size, (list = []));
    if (list.length < 4) list.push(buf);
    else buf.destroy();
  }

  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}
