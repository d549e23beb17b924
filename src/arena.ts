import type { BufferRange, Runtime } from './device.js';
import { BYTES_PER_ELEMENT } from './dtype.js';
import { ArgumentError } from './errors.js';
import { f32bits } from './params.js';
import { checkShape, sizeOf, type Shape } from './shape.js';
import { copyTensor, keep, Storage, Tensor } from './tensor.js';
import { FILL_WORKGROUP, fillKernel } from '../kernels/fill.js';

/** One buffer with the arena's layout (a parameter, gradient or optimizer-state role) and a tensor view per parameter. */
export interface ArenaBuffer {
  readonly buffer: GPUBuffer;
  /** The whole arena range (padding included), for kernels that run over every parameter at once. */
  readonly range: BufferRange;
  readonly views: readonly Tensor[];
}

const arenaOfStorage = new WeakMap<Storage, { arena: ParamArena; index: number }>();

/**
 * Many parameters packed into one GPU buffer per role, each at an offset that is a multiple of
 * minStorageBufferOffsetAlignment (so any kernel can bind a single parameter), so that an optimizer, a
 * gradient norm or zeroing the gradients is one dispatch over the whole buffer whatever the number of
 * parameters. The padding between parameters is zero in the parameter and gradient buffers and stays
 * zero under every optimizer update (a zero gradient moves a zero parameter nowhere), so reductions over
 * a whole buffer are exact.
 */
export class ParamArena {
  readonly shapes: readonly (readonly number[])[];
  /** Element offset of each parameter. */
  readonly offsets: readonly number[];
  /** Elements per buffer, padding included (a multiple of the alignment, hence of 4). */
  readonly totalElements: number;
  readonly params: readonly Tensor[];
  readonly grads: readonly Tensor[];
  readonly paramBuffer: ArenaBuffer;
  readonly gradBuffer: ArenaBuffer;
  private readonly owned: ArenaBuffer[] = [];
  private disposed = false;

  /**
   * From shapes: zero-filled parameters. From tensors: their values are copied in and the tensors
   * themselves move onto the arena (`params[i] === tensors[i]`), so whatever holds them reads the arena.
   */
  constructor(readonly rt: Runtime, specs: readonly (Shape | Tensor)[]) {
    const op = 'ParamArena';
    if (specs.length === 0) throw new ArgumentError(op, 'needs at least one parameter');
    const tensors = specs.map((s) => (s instanceof Tensor ? s : null));
    tensors.forEach((t, i) => {
      if (!t) return;
      t.buffer(op);
      if (t.dtype !== 'f32') throw new ArgumentError(op, `parameter ${i} is ${t.dtype}; parameters must be f32`);
      if (t.rt !== rt) throw new ArgumentError(op, `parameter ${i} belongs to another runtime`);
      if (tensors.indexOf(t) !== i) throw new ArgumentError(op, `parameter ${i} is given twice`);
      if (arenaOfStorage.has(t.storage)) throw new ArgumentError(op, `parameter ${i} already lives in an arena`);
    });
    this.shapes = specs.map((s) => [...(s instanceof Tensor ? s.shape : s)]);
    for (const s of this.shapes) checkShape(op, s);
    const alignElements = Math.max(rt.limits.minStorageBufferOffsetAlignment, 16) / BYTES_PER_ELEMENT;
    const offsets: number[] = [];
    let total = 0;
    for (const s of this.shapes) {
      offsets.push(total);
      total += Math.ceil(Math.max(sizeOf(s), 1) / alignElements) * alignElements;
    }
    const bytes = total * BYTES_PER_ELEMENT;
    const max = Math.min(rt.limits.maxStorageBufferBindingSize, rt.limits.maxBufferSize);
    if (bytes > max) {
      throw new ArgumentError(op, `${this.shapes.length} parameters need ${bytes} bytes with alignment padding, over this device's largest storage binding (${max} bytes): split them into several arenas (one optimizer each)`);
    }
    this.offsets = offsets;
    this.totalElements = total;
    const raw = this.newSlot(0);
    this.params = raw.views.map((v, i) => {
      const t = tensors[i];
      if (!t) return v;
      copyTensor(op, t, v);
      t.adoptStorage(v.storage.retain());
      v.dispose();
      return t;
    });
    this.paramBuffer = { ...raw, views: this.params };
    this.owned[0] = this.paramBuffer;
    this.gradBuffer = this.newSlot(0);
    this.grads = this.gradBuffer.views;
    this.params.forEach((p, i) => arenaOfStorage.set(p.storage, { arena: this, index: i }));
  }

  /** The arena and index of a parameter tensor, if it lives in one. */
  static of(t: Tensor): { arena: ParamArena; index: number } | undefined {
    return arenaOfStorage.get(t.storage);
  }

  /** A new buffer with the arena's layout filled with `value` (optimizer state; padding included). */
  newSlot(value = 0): ArenaBuffer {
    if (this.disposed) throw new ArgumentError('ParamArena', 'the arena was disposed');
    const bytes = this.totalElements * BYTES_PER_ELEMENT;
    const buffer = this.rt.allocate('ParamArena', bytes);
    this.rt.dispatch({
      op: 'ParamArena', kernel: fillKernel, bindings: { out: { buffer, offset: 0, size: bytes }, p: Uint32Array.of(this.totalElements, f32bits(value)) },
      workgroups: Math.ceil(this.totalElements / FILL_WORKGROUP),
    });
    // Views outlive any tidy() scope they are created in: the arena owns them.
    const views = this.shapes.map((s, i) => keep(new Tensor(new Storage(this.rt, buffer, sizeOf(s) * BYTES_PER_ELEMENT, this.offsets[i]! * BYTES_PER_ELEMENT, false), s, 'f32')));
    const slot = { buffer, range: { buffer, offset: 0, size: bytes }, views };
    this.owned.push(slot);
    return slot;
  }

  /** Disposes a buffer made by `newSlot` (an optimizer's state) and its views. */
  freeSlot(slot: ArenaBuffer): void {
    const i = this.owned.indexOf(slot);
    if (i < 0 || slot === this.paramBuffer || slot === this.gradBuffer) throw new ArgumentError('ParamArena', 'freeSlot takes a buffer made by newSlot() of this arena');
    this.owned.splice(i, 1);
    for (const v of slot.views) v.dispose();
    this.rt.release(slot.buffer);
  }

  /**
   * Gives back the gradient buffer and its views, for parameters no longer trained through this arena (a
   * search trial whose stack trains a copy of them); `grads` must not be used after.
   */
  releaseGradients(): void {
    const i = this.owned.indexOf(this.gradBuffer);
    if (i < 0) return;
    this.owned.splice(i, 1);
    for (const v of this.gradBuffer.views) v.dispose();
    this.rt.release(this.gradBuffer.buffer);
  }

  /** Disposes every view (adopted parameter tensors included) and gives the buffers back. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const slot of this.owned) {
      for (const v of slot.views) v.dispose();
      this.rt.release(slot.buffer);
    }
    this.owned.length = 0;
  }
}
