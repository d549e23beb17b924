/**
 * Size-class pool of storage buffers. Steady-state work allocates nothing: a released buffer goes back
 * to its class and the next request of that class reuses it, even within the same command encoder
 * (GPU commands run in encoding order; the runtime orders uploads, which jump it, see Runtime.upload).
 */
export interface PoolStats {
  /** GPU buffers alive (in use + free in the pool). */
  liveBuffers: number;
  liveBytes: number;
  /** Buffers handed out and not yet released. */
  inUseBuffers: number;
  inUseBytes: number;
  /** Buffers created over the pool's life. */
  created: number;
}

export const STORAGE_USAGE = GPUBufferUsageFlags();

function GPUBufferUsageFlags(): number {
  // GPUBufferUsage is a global in browsers and after Object.assign(globalThis, globals) in dawn.node;
  // numeric values are fixed by the spec, so use them directly to keep module load free of globals.
  const STORAGE = 0x80, COPY_SRC = 0x04, COPY_DST = 0x08;
  return STORAGE | COPY_SRC | COPY_DST;
}

/**
 * Rounds up to a size class: multiples of 256 B below 4 KiB, then 8 classes per power of two (≤ 12.5% waste),
 * never past `max` (the device's maxBufferSize, rounded down to whole words): a request between the last
 * class below the limit and the limit gets a buffer of exactly the limit.
 */
export function sizeClass(bytes: number, max = Infinity): number {
  const min = 256;
  const limit = Math.floor(max / 4) * 4;
  if (bytes <= 4096) return Math.min(limit, Math.max(min, Math.ceil(bytes / min) * min));
  const pow = bytes < 2 ** 31 ? 2 ** (31 - Math.clz32(bytes)) : 2 ** Math.floor(Math.log2(bytes));
  const step = pow / 8;
  return Math.min(limit, Math.ceil(bytes / step) * step);
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  /** Buffers a compiled plan still uses: a release waits until the last unpin. */
  private readonly pins = new Map<GPUBuffer, { count: number; released: boolean }>();
  private readonly sizes = new WeakMap<GPUBuffer, number>();
  private nextId = 1;
  readonly ids = new WeakMap<GPUBuffer, number>();
  private stats: PoolStats = { liveBuffers: 0, liveBytes: 0, inUseBuffers: 0, inUseBytes: 0, created: 0 };

  /** The device's maxBufferSize: no size class rounds past it. */
  readonly maxSize: number;

  constructor(private readonly device: GPUDevice, private readonly onDestroy: (id: number) => void) {
    this.maxSize = device.limits?.maxBufferSize ?? Infinity;
  }

  /** The size class of a request of `bytes` on this device. */
  classOf(bytes: number): number {
    return sizeClass(bytes, this.maxSize);
  }

  /** A free buffer of `size` (a size class), or null when one must be created with `create`. */
  reuse(size: number): GPUBuffer | null {
    const buf = this.free.get(size)?.pop();
    if (!buf) return null;
    this.stats.inUseBuffers++;
    this.stats.inUseBytes += size;
    return buf;
  }

  /** A new buffer of `size` (a size class), handed out. */
  create(size: number, label?: string): GPUBuffer {
    const buf = this.device.createBuffer({ size, usage: STORAGE_USAGE, label });
    this.sizes.set(buf, size);
    this.ids.set(buf, this.nextId++);
    this.stats.liveBuffers++;
    this.stats.liveBytes += size;
    this.stats.created++;
    this.stats.inUseBuffers++;
    this.stats.inUseBytes += size;
    return buf;
  }

  /** A buffer of at least `bytes`: reused from its size class, else created. */
  acquire(bytes: number, label?: string): GPUBuffer {
    const size = this.classOf(bytes);
    return this.reuse(size) ?? this.create(size, label);
  }

  /** Returns a buffer to its size class (or to its pin, while a compiled plan uses it). */
  release(buf: GPUBuffer): void {
    const size = this.sizes.get(buf)!;
    this.stats.inUseBuffers--;
    this.stats.inUseBytes -= size;
    const pin = this.pins.get(buf);
    if (pin) {
      pin.released = true;
      return;
    }
    this.pushFree(buf, size);
  }

  /** Keeps a buffer out of the free list while a compiled plan uses it, even if its tensor is disposed. */
  pin(buf: GPUBuffer): void {
    const pin = this.pins.get(buf);
    if (pin) {
      pin.count++;
      return;
    }
    // Already released (its owner let go during the trace): take it off the free list until unpinned.
    const list = this.free.get(this.sizes.get(buf)!);
    const at = list ? list.indexOf(buf) : -1;
    if (at >= 0) list!.splice(at, 1);
    this.pins.set(buf, { count: 1, released: at >= 0 });
  }

  unpin(buf: GPUBuffer): void {
    const pin = this.pins.get(buf);
    if (!pin) return;
    if (--pin.count > 0) return;
    this.pins.delete(buf);
    if (pin.released) this.pushFree(buf, this.sizes.get(buf)!);
  }

  /** Whether the pool made this buffer (uniforms and staging buffers are not pooled). */
  owns(buf: GPUBuffer): boolean {
    return this.sizes.has(buf);
  }

  /** Destroys every free buffer; call with no open batch. Returns the bytes given back. */
  trim(): number {
    let bytes = 0;
    for (const [size, list] of this.free) {
      for (const b of list) {
        this.onDestroy(this.ids.get(b)!);
        b.destroy();
        bytes += size;
        this.stats.liveBuffers--;
        this.stats.liveBytes -= size;
      }
    }
    this.free.clear();
    return bytes;
  }

  sizeOf(buf: GPUBuffer): number {
    return this.sizes.get(buf)!;
  }

  idOf(buf: GPUBuffer): number {
    return this.ids.get(buf)!;
  }

  /** Buffers created over the pool's life. */
  get created(): number {
    return this.stats.created;
  }

  getStats(): PoolStats {
    return { ...this.stats };
  }

  private pushFree(buf: GPUBuffer, size: number): void {
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buf);
  }
}
