import { getRuntime, type Runtime } from '../device.js';
import { empty, keep, type Tensor } from '../tensor.js';
import type { Batch, DataLoader } from './loader.js';

/** A mini-batch on the GPU: x f32 [size, ...sampleShape], y i32 [size]. */
export interface GpuBatch {
  x: Tensor;
  y: Tensor;
  size: number;
  index: number;
}

interface Slot {
  x: Tensor;
  y: Tensor;
}

const OP = 'GpuBatchStream';

/**
 * Streams a DataLoader's batches into two pairs of GPU input tensors (double buffering): batch i+1 is
 * gathered, normalized and uploaded into one pair while batch i sits in the other, so the next step's
 * input is already on the queue when the current step is encoded, and the CPU work for it overlaps the
 * GPU running the steps submitted before.
 *
 * Why this is safe. `queue.writeBuffer` copies the data at call time and takes effect in queue order:
 * after every command buffer submitted before it, but before any submitted after it, even one encoded
 * earlier. Batch i+1 goes into the pair that batch i does not use, so it cannot disturb step i. A pair
 * is rewritten (with batch i+2) only when batch i+1 is requested, after the caller has encoded step i;
 * if step i still sits in the runtime's open command buffer, `Runtime.upload` submits that buffer
 * before writing (it tracks which buffers the open batch uses), so the write lands after step i.
 *
 * Contract: a batch's tensors belong to the stream and hold its data for the commands encoded before the
 * next batch is requested (encode the whole step, then ask for the next batch; results can be read back
 * whenever). Do not dispose them; `dispose()` frees all.
 */
export class GpuBatchStream {
  private readonly slots: (Slot | null)[] = [null, null];

  constructor(readonly loader: DataLoader, readonly rt: Runtime = getRuntime()) {}

  *batches(epoch = 0): Generator<GpuBatch> {
    const source = this.loader.batches(epoch);
    const first = source.next();
    if (first.done) return;
    let current = this.upload(first.value, 0);
    for (let i = 0; ; i++) {
      const next = source.next();
      const prepared = next.done ? null : this.upload(next.value, (i + 1) % 2);
      yield current;
      if (!prepared) return;
      current = prepared;
    }
  }

  dispose(): void {
    for (const s of this.slots) {
      s?.x.dispose();
      s?.y.dispose();
    }
    this.slots.fill(null);
  }

  private upload(b: Batch, k: number): GpuBatch {
    let slot = this.slots[k];
    // The last partial batch needs tensors of its own size; the pair is reallocated (from the pool) when the size changes.
    if (!slot || slot.x.shape[0] !== b.size) {
      slot?.x.dispose();
      slot?.y.dispose();
      slot = this.slots[k] = { x: keep(empty(b.shape, 'f32', OP, this.rt)), y: keep(empty([b.size], 'i32', OP, this.rt)) };
    }
    this.rt.upload(OP, slot.x.buffer(OP), b.x);
    this.rt.upload(OP, slot.y.buffer(OP), b.y);
    return { x: slot.x, y: slot.y, size: b.size, index: b.index };
  }
}
