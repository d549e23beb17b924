/**
 * Ring of MAP_READ staging buffers for readbacks. A buffer is reused once its mapAsync has resolved and it
 * was unmapped, so steady-state reads (e.g. a loss value every step) create no buffers.
 */
const MAP_READ = 0x01, COPY_DST = 0x08;

export class StagingRing {
  private readonly free = new Map<number, GPUBuffer[]>();
  created = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number): GPUBuffer {
    const size = Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
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
