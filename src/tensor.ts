import { getRuntime, type Runtime } from './device.js';
import { arrayFor, BYTES_PER_ELEMENT, type AnyTypedArray, type DType } from './dtype.js';
import { ArgumentError } from './errors.js';
import { resolveReshape, sizeOf, type Shape } from './shape.js';

/** Where a tensor's data lives: a GPU buffer range (offsets are multiples of 256 bytes, WebGPU's binding alignment). */
export interface TensorBinding {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly size: number;
}

/**
 * A GPU buffer range shared by a tensor and its views (reshape, flatten, detach); given back when the
 * last one is disposed. Parameter arenas hand out ranges of one buffer (owned elsewhere: `owned = false`).
 */
export class Storage {
  refs = 1;
  readonly binding: TensorBinding;
  constructor(readonly rt: Runtime, buffer: GPUBuffer, readonly bytes: number, offset = 0, private readonly owned = true) {
    this.binding = { buffer, offset, size: Math.ceil(bytes / 4) * 4 };
  }

  get buffer(): GPUBuffer {
    return this.binding.buffer;
  }

  retain(): this {
    this.refs++;
    return this;
  }

  drop(): void {
    if (--this.refs === 0 && this.owned) this.rt.release(this.buffer);
  }
}

let tensorsMade = 0;

/** @internal Tensors created so far: a tensor whose `serial` is below it existed before. */
export function tensorSerial(): number {
  return tensorsMade;
}

/** An n-dimensional array in GPU memory, row-major and contiguous. */
export class Tensor {
  /** @internal Creation order (see tensorSerial). */
  readonly serial = tensorsMade++;
  readonly shape: readonly number[];
  readonly size: number;
  private disposedFlag = false;
  /** Autodiff: whether gradients flow to (or through) this tensor. */
  requiresGrad = false;
  /**
   * Set by `requireGrad(false)` (what `freeze` does): optimizers leave the tensor untouched. A tensor never
   * marked either way (a plain `tensor()` handed to an optimizer with hand-made gradients) is updated.
   */
  frozen = false;
  /** Autodiff: the accumulated gradient of a leaf after `backward()`. */
  grad: Tensor | null = null;
  /** @internal Autodiff: the op that produced this tensor (see src/autograd.ts). */
  gradFn: import('./autograd.js').GradNode | null = null;
  /**
   * @internal Checked along with every read of this tensor (a loss checks the GPU label fault record, see
   * src/ops/step-fault.ts): the read rejects with its error.
   */
  readGuard: (() => Promise<void>) | null = null;
  private currentStorage: Storage;

  constructor(storage: Storage, shape: Shape, readonly dtype: DType) {
    this.currentStorage = storage;
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    const scopes = storage.rt.scopes;
    if (scopes.length) scopes[scopes.length - 1]!.add(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get rt(): Runtime {
    return this.storage.rt;
  }

  get storage(): Storage {
    return this.currentStorage;
  }

  /**
   * @internal Moves the tensor onto `storage` (a parameter arena's range, already holding its data) and
   * drops the old one. The tensor keeps its identity, so modules and optimizers holding it see the move;
   * views taken before (reshape, detach) stay on the old data.
   */
  adoptStorage(storage: Storage): void {
    this.buffer('adoptStorage');
    if (storage.rt !== this.rt) throw new ArgumentError('adoptStorage', 'the new storage belongs to another runtime');
    if (storage.bytes < this.size * BYTES_PER_ELEMENT) {
      throw new ArgumentError('adoptStorage', `a ${storage.bytes}-byte storage cannot hold a tensor of shape [${this.shape.join(', ')}]`);
    }
    const old = this.currentStorage;
    this.currentStorage = storage;
    old.drop();
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** The GPU buffer range to bind; throws if the tensor was disposed. */
  buffer(op = 'tensor'): TensorBinding {
    if (this.disposedFlag) throw new ArgumentError(op, `uses a disposed tensor of shape [${this.shape.join(', ')}]`);
    const storage = this.currentStorage;
    storage.rt.recorder?.onTensor(this);
    return storage.binding;
  }

  /** Copies the data to the CPU (all earlier GPU work is submitted; the read does not block later work). */
  async toArray(): Promise<AnyTypedArray> {
    const buf = this.buffer('toArray');
    const bytes = this.size * BYTES_PER_ELEMENT;
    if (bytes === 0) return arrayFor(this.dtype, new ArrayBuffer(0), 0);
    const guard = this.readGuard;
    const [data] = await Promise.all([this.rt.read('toArray', buf, bytes), guard?.()]);
    return arrayFor(this.dtype, data, this.size);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new ArgumentError('item', `needs a tensor with one element, got shape [${this.shape.join(', ')}]`);
    return (await this.toArray())[0]!;
  }

  /** A view with another shape over the same buffer (no copy). One dimension may be -1. */
  reshape(shape: readonly number[]): Tensor {
    this.buffer('reshape');
    return new Tensor(this.storage.retain(), resolveReshape('reshape', this.shape, shape), this.dtype);
  }

  /** Flattens dimensions `startDim…` into one, as a view (PyTorch's flatten with end_dim = -1). */
  flatten(startDim = 0): Tensor {
    const s = startDim < 0 ? startDim + this.rank : startDim;
    if (s < 0 || s > Math.max(this.rank - 1, 0)) throw new ArgumentError('flatten', `startDim ${startDim} is out of range for rank ${this.rank}`);
    return this.reshape([...this.shape.slice(0, s), -1]);
  }

  /**
   * Reverse-mode autodiff: fills `.grad` of every leaf with `requiresGrad` that this tensor depends on
   * (accumulating, like PyTorch). Implicit gradient 1 for one-element tensors. Frees the graph.
   */
  backward(grad?: Tensor): void {
    if (!backwardImpl) throw new ArgumentError('backward', 'autodiff is not loaded (import from the package entry point)');
    backwardImpl(this, grad);
  }

  /** A view of the same data that autodiff treats as a constant. */
  detach(): Tensor {
    this.buffer('detach');
    return new Tensor(this.storage.retain(), this.shape, this.dtype);
  }

  /** Marks a leaf tensor as needing gradients (or, with false, as frozen: see `frozen`); returns it. */
  requireGrad(flag = true): this {
    if (this.gradFn) throw new ArgumentError('requireGrad', 'only leaf tensors can be marked; use detach() first');
    if (flag && this.dtype !== 'f32') throw new ArgumentError('requireGrad', `only f32 tensors can require gradients, got ${this.dtype}`);
    this.requiresGrad = flag;
    this.frozen = !flag;
    return this;
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.storage.drop();
    const scopes = this.rt.scopes;
    if (scopes.length) scopes[scopes.length - 1]!.delete(this);
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}])`;
  }
}

/** Encodes a copy of all of `src`'s elements into `dst` (a tensor of at least as many elements), in command order. */
export function copyTensor(op: string, src: Tensor, dst: Tensor): void {
  const s = src.buffer(op), d = dst.buffer(op);
  src.rt.copy(op, s.buffer, d.buffer, src.size * BYTES_PER_ELEMENT, s.offset, d.offset);
}

let backwardImpl: ((root: Tensor, grad?: Tensor) => void) | null = null;

/** @internal Installed by src/grad/backward.ts (keeps this module free of kernel imports). */
export function setBackwardImpl(fn: (root: Tensor, grad?: Tensor) => void): void {
  backwardImpl = fn;
}

/** A fresh uninitialised tensor from the runtime's buffer pool. */
export function empty(shape: Shape, dtype: DType = 'f32', op = 'empty', rt: Runtime = getRuntime()): Tensor {
  const bytes = Math.max(sizeOf(shape), 1) * BYTES_PER_ELEMENT;
  return new Tensor(new Storage(rt, rt.allocate(op, bytes), bytes), shape, dtype);
}

type TensorTree = Tensor | readonly TensorTree[] | { readonly [k: string]: TensorTree } | undefined | null | number | string | boolean;

function collect(x: unknown, into: Set<Tensor>): void {
  if (x instanceof Tensor) into.add(x);
  else if (Array.isArray(x)) for (const v of x) collect(v, into);
  else if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collect(v, into);
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (in arrays or plain objects
 * too). Synchronous only, like TF.js's tidy.
 */
export function tidy<T extends TensorTree>(fn: () => T, rt: Runtime = getRuntime()): T {
  const scope = new Set<{ dispose(): void }>();
  rt.scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new ArgumentError('tidy', 'the function must be synchronous (it returned a Promise)');
  } finally {
    rt.scopes.pop();
  }
  const keep = new Set<Tensor>();
  collect(result, keep);
  for (const t of scope) if (!keep.has(t as Tensor)) t.dispose();
  const outer = rt.scopes[rt.scopes.length - 1];
  if (outer) for (const t of keep) if (scope.has(t)) outer.add(t);
  return result;
}

/** Excludes a tensor from the enclosing tidy() scope. */
export function keep<T extends Tensor>(t: T): T {
  const scopes = t.rt.scopes;
  for (const s of scopes) s.delete(t);
  return t;
}
