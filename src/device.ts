import { BufferPool, type PoolStats } from './buffer-pool.js';
import {
  ArgumentError, DeviceLostError, GPUInternalError, GPUOutOfMemoryError, GPUValidationError, WebGPUUnavailableError, WgslNNError,
  type GPUErrorContext,
} from './errors.js';
import { currentPlatform, noAdapterHint, noWebGPUHint } from './platform-hints.js';
import { dispatchGrid, foldGrid, type Kernel, type Overrides, type Specialization } from './kernel.js';
import { StagingRing } from './staging.js';
import type { RecordedBinding, Recorder } from './executor/recorder.js';
import { encodeInterleaved, type ReplayCommands } from './executor/interleave.js';
import { FILL_WORKGROUP, fillKernel } from '../kernels/fill.js';

export interface InitOptions {
  /** A `GPU` object: `navigator.gpu` by default; in Node, `create([])` from the `webgpu` package. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /** Limits to require beyond the ones asked by default (the adapter's maximum buffer and storage-binding sizes). */
  requiredLimits?: Record<string, number>;
  /** Wrap every dispatch in its own error scope so a GPU error names the exact op (slower). */
  debug?: boolean;
  /** Eager mode submits after this many dispatches (default 64). */
  maxDispatchesPerSubmit?: number;
  /** Fill every buffer handed out by the pool with NaN first, so tests catch elements a kernel fails to write. */
  poison?: boolean;
  /** Make this runtime the one that `tensor()`, `zeros()`… use (default true). */
  setCurrent?: boolean;
}

export interface RuntimeStats {
  dispatches: number;
  submits: number;
  pipelinesCreated: number;
  bindGroupsCreated: number;
  buffersCreated: number;
  uploads: number;
  uploadBytes: number;
  readbacks: number;
  readbackBytes: number;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

const UNIFORM = 0x40, COPY_DST = 0x08, MAP_READ_MODE = 0x01, COMPUTE_STAGE = 0x4;
const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query', 'subgroups', 'shader-f16'];
const MAX_UNIFORM_CACHE = 4096;
const NAN_BITS = 0x7fc00000;

let current: Runtime | null = null;

/** Which of several GPU errors to report: the one the others follow from. */
function severity(e: WgslNNError): number {
  if (e instanceof DeviceLostError) return 3;
  if (e instanceof GPUOutOfMemoryError) return 2;
  if (e instanceof GPUInternalError) return 1;
  return 0;
}

/** Opens a WebGPU device and makes it the current runtime. */
export async function init(options: InitOptions = {}): Promise<Runtime> {
  const gpu = options.gpu ?? (globalThis.navigator as Navigator | undefined)?.gpu;
  const platform = currentPlatform();
  if (!gpu) throw new WebGPUUnavailableError(platform, 'WebGPU is not available (no navigator.gpu and no { gpu } option)', noWebGPUHint(platform));
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference });
  if (!adapter) throw new WebGPUUnavailableError(platform, 'requestAdapter() returned no adapter', noAdapterHint(platform));
  const limits: Record<string, number> = {
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: adapter.limits.maxComputeWorkgroupSizeY,
    maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
    ...options.requiredLimits,
  };
  for (const [k, v] of Object.entries(limits)) {
    const max = (adapter.limits as unknown as Record<string, number>)[k];
    if (max === undefined) throw new ArgumentError('init', `unknown limit ${k}`);
    if (v > max) throw new ArgumentError('init', `requiredLimits.${k} = ${v} exceeds the adapter's maximum ${max}`);
  }
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits: limits, requiredFeatures, label: 'wgsl-nn' });
  const info = adapter.info;
  const rt = new Runtime(device, {
    vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', device: info?.device ?? '', description: info?.description ?? '',
  }, options);
  // dawn.node tears its instance down when the GPU object is collected, so the runtime holds on to it.
  rt.gpuObject = gpu;
  rt.adapterObject = adapter;
  if (options.setCurrent ?? true) current = rt;
  return rt;
}

/** The runtime made current by `init()`. */
export function getRuntime(): Runtime {
  if (!current) throw new WgslNNError('no WebGPU runtime: call `await init()` first');
  if (current.lostError) throw current.lostError;
  return current;
}

export function setRuntime(rt: Runtime | null): void {
  current = rt;
}

interface Batch {
  /** The op that opened the batch: the error context when the batch dispatched nothing. */
  label: string;
  ops: string[];
  kernels: string[];
  scoped: boolean;
}

/** A range of a GPU buffer (a tensor's `buffer(op)`). */
export interface BufferRange {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly size: number;
}

export interface DispatchArgs {
  /** User-facing op name, for error messages (e.g. 'matmul'). */
  op: string;
  kernel: Kernel;
  /** Storage bindings by name (a tensor's `buffer(op)` range, or a whole buffer); uniform bindings take their words (u32/f32 bits). */
  bindings: Record<string, BufferRange | GPUBuffer | Uint32Array>;
  /** Workgroup count: a number is folded over x/y/z; a triple is used as given. */
  workgroups: number | readonly [number, number, number];
  specialize?: Specialization;
  overrides?: Overrides;
}

/** queue.writeBuffer of `data` rounded up to whole 4-byte words (WebGPU's rule for write sizes). */
export function writeWords(queue: GPUQueue, buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
  queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, Math.ceil(data.byteLength / 4) * 4);
}

/** One WebGPU device with its caches: pipelines, bind groups, uniforms, buffer pool, staging ring. */
export class Runtime {
  readonly limits: GPUSupportedLimits;
  readonly features: ReadonlySet<string>;
  readonly pool: BufferPool;
  readonly stats: RuntimeStats = {
    dispatches: 0, submits: 0, pipelinesCreated: 0, bindGroupsCreated: 0, buffersCreated: 0, uploads: 0, uploadBytes: 0, readbacks: 0, readbackBytes: 0,
  };
  lostError: DeviceLostError | null = null;
  /** @internal Set while a compiled step traces (src/executor/compile.ts). */
  recorder: Recorder | null = null;
  /** @internal keeps the GPU and adapter objects alive as long as the device. */
  gpuObject: GPU | null = null;
  /** @internal */
  adapterObject: GPUAdapter | null = null;
  /** GPU errors reported since the last `checkErrors()` / readback. */
  private readonly errors: WgslNNError[] = [];
  /** Error scopes not yet settled; each removes itself when it settles, so steps without a readback add nothing lasting. */
  private readonly errorChecks = new Set<Promise<void>>();
  private readonly staging: StagingRing;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /** Pipelines of frozen specializations (see cachedSpec), by identity. */
  private readonly pipelinesBySpec = new WeakMap<Specialization, { kernel: Kernel; pipeline: GPUComputePipeline }>();
  private readonly layouts = new Map<Kernel, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout; id: number }>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly uniforms = new Map<string, { buffer: GPUBuffer; id: number }>();
  /** Uniform buffers a compiled plan uses: kept when the uniform cache is cleared. */
  private readonly pinnedUniforms = new Set<GPUBuffer>();
  private nextUniformId = 1;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** The pipeline last set in the open pass (setting it again is skipped). */
  private passPipeline: GPUComputePipeline | null = null;
  private batch: Batch | null = null;
  /** Open while `submitTogether` collects compiled replays into one command buffer. */
  private group: { label: string; encoder: GPUCommandEncoder; ops: string[]; kernels: string[]; owners: Set<object>; replays: ReplayCommands[] } | null = null;
  /** Buffers the open batch's commands use (an upload into one of them must wait for a submit). */
  private readonly batchBuffers = new Set<GPUBuffer>();
  /** Buffers created in the open batch, with the kernel list of their allocation's error context (filled by the first dispatch binding them). */
  private readonly freshBuffers = new Map<GPUBuffer, string[]>();
  private dispatchesInBatch = 0;
  private readonly debug: boolean;
  readonly poison: boolean;
  private readonly maxDispatchesPerSubmit: number;
  /** Tensors created inside `tidy()` scopes, innermost last. */
  readonly scopes: Set<{ dispose(): void }>[] = [];
  private destroyed = false;
  /**
   * False on dawn's null backend, which validates every call and executes nothing: its readbacks are not
   * results, so checks that read GPU-side records (labels, a watched loss) have nothing to report there.
   */
  readonly executes: boolean;

  constructor(readonly device: GPUDevice, readonly adapter: AdapterDescription, options: InitOptions = {}) {
    this.executes = adapter.device !== 'null-backend';
    this.limits = device.limits;
    this.features = new Set(device.features);
    this.debug = options.debug ?? false;
    this.poison = options.poison ?? false;
    this.maxDispatchesPerSubmit = options.maxDispatchesPerSubmit ?? 64;
    this.pool = new BufferPool(device, () => this.bindGroups.clear());
    this.staging = new StagingRing(device);
    void device.lost.then((info) => {
      if (this.destroyed) return;
      this.lostError = new DeviceLostError(String(info.reason), info.message, this.batch ? { ops: this.batch.ops, kernels: this.batch.kernels } : undefined);
      this.errors.push(this.lostError);
    });
    device.addEventListener?.('uncapturederror', (ev: Event) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      this.errors.push(this.toTyped(e, { ops: ['(outside an error scope)'], kernels: [] }));
    });
  }

  /** Storage buffer of at least `bytes` from the pool. */
  allocate(op: string, bytes: number): GPUBuffer {
    if (this.lostError) throw this.lostError;
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      throw new ArgumentError(op, `needs a ${bytes}-byte buffer, over this device's maxStorageBufferBindingSize (${this.limits.maxStorageBufferBindingSize})`);
    }
    if (bytes > this.limits.maxBufferSize) {
      throw new ArgumentError(op, `needs a ${bytes}-byte buffer, over this device's maxBufferSize (${this.limits.maxBufferSize})`);
    }
    const size = this.pool.classOf(bytes);
    let buf = this.pool.reuse(size);
    if (!buf) {
      this.ensureBatch(op);
      // An out-of-memory scope of its own, so the error names this op (and, once encoded, the kernel that
      // first binds the buffer) rather than the whole batch; a pooled buffer needs none.
      this.device.pushErrorScope('out-of-memory');
      buf = this.pool.create(size, op);
      const ctx = { ops: [op], kernels: [] as string[] };
      this.freshBuffers.set(buf, ctx.kernels);
      this.watch(this.device.popErrorScope(), ctx, `allocating ${bytes} bytes: `);
      this.stats.buffersCreated++;
    }
    this.recorder?.onAllocate(buf, bytes);
    if (this.poison) {
      const words = this.pool.sizeOf(buf) / 4;
      // The poison fill is test scaffolding, not part of a compiled step.
      const recorder = this.recorder;
      this.recorder = null;
      this.dispatch({ op: `${op} (poison)`, kernel: fillKernel, bindings: { out: buf, p: Uint32Array.of(words, NAN_BITS) }, workgroups: Math.ceil(words / FILL_WORKGROUP) });
      this.recorder = recorder;
    }
    return buf;
  }

  /** Gives a buffer back to the pool. */
  release(buf: GPUBuffer): void {
    this.recorder?.onRelease(buf);
    this.pool.release(buf);
  }

  /**
   * Writes CPU data into a buffer range, ordered after every command encoded so far that touches it.
   * Inside a compiled step, `produce` is called at each replay for that step's data (else `data` is a constant).
   */
  upload(op: string, range: BufferRange, data: ArrayBufferView, produce?: () => ArrayBufferView): void {
    const buf = range.buffer;
    // queue.writeBuffer runs before the open (unsubmitted) batch: submit first if that batch uses the buffer.
    if (this.batchBuffers.has(buf)) this.flush();
    this.ensureBatch(op);
    if (data.byteLength > range.size) throw new ArgumentError(op, `${data.byteLength} bytes do not fit a ${range.size}-byte tensor`);
    writeWords(this.device.queue, buf, range.offset, data);
    this.recorder?.onCommand({ kind: 'upload', op, dst: buf, dstOffset: range.offset, data: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)), produce });
    this.stats.uploads++;
    this.stats.uploadBytes += data.byteLength;
  }

  /** Encodes one compute dispatch. Pipelines, layouts, bind groups and uniform buffers are cached. */
  dispatch(args: DispatchArgs): void {
    const { kernel, op } = args;
    this.ensureBatch(op);
    const layout = this.layoutFor(kernel);
    const pipeline = this.pipelineFor(kernel, layout.pipeline, args.specialize, args.overrides);
    const names = kernel.bindingNames;
    const resolved: RecordedBinding[] = new Array(names.length);
    let key = `${layout.id}`;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const value = args.bindings[name];
      if (value === undefined) throw new ArgumentError(op, `kernel ${kernel.name} needs binding '${name}'`);
      if (value instanceof Uint32Array) {
        if (kernel.bindings[name] !== 'uniform') throw new ArgumentError(op, `kernel ${kernel.name}: binding '${name}' is a storage buffer, got uniform data`);
        const u = this.uniformFor(value, op, kernel.name);
        key += `,u${u.id}`;
        resolved[i] = { buffer: u.buffer };
      } else {
        if (kernel.bindings[name] === 'uniform') throw new ArgumentError(op, `kernel ${kernel.name}: binding '${name}' is a uniform, pass its words as a Uint32Array`);
        const buffer = 'offset' in value ? value.buffer : value;
        if ('offset' in value) {
          key += `,${this.pool.idOf(value.buffer)}@${value.offset}+${value.size}`;
          resolved[i] = value;
        } else {
          key += `,${this.pool.idOf(value)}`;
          resolved[i] = { buffer: value };
        }
        this.batchBuffers.add(buffer);
        if (this.freshBuffers.size) {
          const kernels = this.freshBuffers.get(buffer);
          if (kernels) {
            kernels.push(kernel.name);
            this.freshBuffers.delete(buffer);
          }
        }
      }
    }
    let given = 0;
    for (const _ in args.bindings) given++;
    if (given !== names.length) {
      const extra = Object.keys(args.bindings).filter((n) => !(n in kernel.bindings));
      throw new ArgumentError(op, `kernel ${kernel.name} has no binding(s) ${extra.join(', ')}`);
    }
    let group = this.bindGroups.get(key);
    if (!group) {
      group = this.createBindGroup(layout.group, resolved, kernel.name);
      this.bindGroups.set(key, group);
    }
    const grid = typeof args.workgroups === 'number'
      ? foldGrid(op, args.workgroups, this.limits.maxComputeWorkgroupsPerDimension)
      : args.workgroups;
    if (this.debug) this.device.pushErrorScope('validation');
    const pass = this.pass ?? (this.pass = this.encoder!.beginComputePass());
    if (pipeline !== this.passPipeline) pass.setPipeline((this.passPipeline = pipeline));
    pass.setBindGroup(0, group);
    dispatchGrid(pass, grid);
    this.batch!.ops.push(op);
    this.batch!.kernels.push(kernel.name);
    this.stats.dispatches++;
    this.recorder?.onCommand({ kind: 'dispatch', op, kernel: kernel.name, pipeline, layout: layout.group, bindings: resolved, writable: kernel.writable, grid });
    if (this.debug) this.watch(this.device.popErrorScope(), { ops: [op], kernels: [kernel.name] });
    if (++this.dispatchesInBatch >= this.maxDispatchesPerSubmit) this.flush();
  }

  /** @internal A bind group for resolved bindings (counted in stats). */
  createBindGroup(layout: GPUBindGroupLayout, bindings: readonly RecordedBinding[], label: string): GPUBindGroup {
    this.stats.bindGroupsCreated++;
    return this.device.createBindGroup({
      layout,
      entries: bindings.map((b, i) => ({ binding: i, resource: b.offset === undefined ? { buffer: b.buffer } : { buffer: b.buffer, offset: b.offset, size: b.size } })),
      label,
    });
  }

  /** Encodes a buffer copy (outside any compute pass). */
  copy(op: string, src: GPUBuffer, dst: GPUBuffer, bytes: number, srcOffset = 0, dstOffset = 0): void {
    this.ensureBatch(op);
    this.endPass();
    this.encoder!.copyBufferToBuffer(src, srcOffset, dst, dstOffset, Math.ceil(bytes / 4) * 4);
    this.batchBuffers.add(src);
    this.batchBuffers.add(dst);
    this.batch!.ops.push(op);
    this.recorder?.onCommand({ kind: 'copy', op, src, srcOffset, dst, dstOffset, bytes: Math.ceil(bytes / 4) * 4 });
  }

  /** Submits everything encoded so far as one command buffer (nothing when only uploads were made). */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    const batch = this.batch!;
    if (batch.ops.length) {
      this.device.queue.submit([this.encoder.finish()]);
      this.stats.submits++;
    }
    this.encoder = null;
    this.batch = null;
    this.batchBuffers.clear();
    this.freshBuffers.clear();
    this.dispatchesInBatch = 0;
    if (batch.scoped) {
      const ctx = { ops: batch.ops.length ? batch.ops : [batch.label], kernels: batch.kernels };
      this.watch(this.device.popErrorScope(), ctx);
      this.watch(this.device.popErrorScope(), ctx);
      this.watch(this.device.popErrorScope(), ctx);
    }
    if (this.uniforms.size > MAX_UNIFORM_CACHE) {
      for (const u of this.uniforms.values()) if (!this.pinnedUniforms.has(u.buffer)) u.buffer.destroy();
      this.uniforms.clear();
      this.bindGroups.clear();
    }
  }

  /**
   * @internal Submits one command buffer built by `encode` (a compiled step's replay), after any eager
   * work, inside its own error scopes; `write` runs first (queue.writeBuffer calls that precede it).
   */
  submitCommands(
    label: string, kernels: readonly string[], encode: (encoder: GPUCommandEncoder) => void, write?: (queue: GPUQueue) => void,
    diagnose?: () => Promise<GPUErrorContext | null>, owner?: object,
  ): void {
    this.flush();
    if (this.lostError) throw this.lostError;
    const group = this.group;
    if (group) {
      if (owner) {
        if (group.owners.has(owner)) throw new ArgumentError(group.label, `${label} is replayed twice in one submitTogether(): its second replay's inputs would overwrite the first's before the submit`);
        group.owners.add(owner);
      }
      write?.(this.device.queue);
      encode(group.encoder);
      group.ops.push(label);
      for (const k of kernels) group.kernels.push(k);
      return;
    }
    this.device.pushErrorScope('internal');
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    write?.(this.device.queue);
    const encoder = this.device.createCommandEncoder({ label });
    encode(encoder);
    this.device.queue.submit([encoder.finish()]);
    this.stats.submits++;
    const ctx = { ops: [label], kernels };
    this.watch(this.device.popErrorScope(), ctx, '', diagnose);
    this.watch(this.device.popErrorScope(), ctx);
    this.watch(this.device.popErrorScope(), ctx);
  }

  /**
   * Runs `fn`, collecting every compiled-step replay it makes into one command buffer and one
   * `queue.submit`, inside one set of error scopes, their dispatches interleaved (`encodeInterleaved`):
   * what a hyperparameter search uses to train several trials per round. Each replay's queue writes (inputs, learning rate, step counts) still happen when it is called,
   * before the shared submit, so the steps must use disjoint buffers — different compiled steps of
   * independent models — and one compiled step may replay only once per group. Eager work `fn` encodes is
   * submitted before the group: it must not depend on a replay of the same group.
   */
  submitTogether(label: string, fn: () => void): void {
    if (this.group) throw new ArgumentError(label, 'submitTogether() cannot be nested');
    if (this.recorder) throw new ArgumentError(label, 'submitTogether() cannot run inside a compiled step\'s trace');
    this.flush();
    if (this.lostError) throw this.lostError;
    this.device.pushErrorScope('internal');
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const group = { label, encoder: this.device.createCommandEncoder({ label }), ops: [] as string[], kernels: [] as string[], owners: new Set<object>(), replays: [] as ReplayCommands[] };
    this.group = group;
    try {
      fn();
    } finally {
      this.group = null;
      this.flush();
      if (group.replays.length) encodeInterleaved(group.encoder, group.replays);
      if (group.ops.length) {
        this.device.queue.submit([group.encoder.finish()]);
        this.stats.submits++;
      }
      const ctx = { ops: group.ops.length ? group.ops : [label], kernels: group.kernels };
      this.watch(this.device.popErrorScope(), ctx);
      this.watch(this.device.popErrorScope(), ctx);
      this.watch(this.device.popErrorScope(), ctx);
    }
  }

  /**
   * @internal A compiled step's replay: submitted alone (as `submitCommands` would), or, inside
   * `submitTogether`, kept to be encoded at the group's end interleaved with the group's other replays.
   */
  submitReplay(
    label: string, kernels: readonly string[], replay: ReplayCommands, write: (queue: GPUQueue) => void, owner: object,
    diagnose?: () => Promise<GPUErrorContext | null>,
  ): void {
    const group = this.group;
    if (!group) {
      this.submitCommands(label, kernels, (enc) => encodeInterleaved(enc, [replay]), write, diagnose, owner);
      return;
    }
    this.flush();
    if (this.lostError) throw this.lostError;
    if (group.owners.has(owner)) throw new ArgumentError(group.label, `${label} is replayed twice in one submitTogether(): its second replay's inputs would overwrite the first's before the submit`);
    group.owners.add(owner);
    write(this.device.queue);
    group.replays.push(replay);
    group.ops.push(label);
    for (const k of kernels) group.kernels.push(k);
  }

  /** @internal Keeps buffers a compiled plan uses alive and out of reuse. */
  pinForPlan(buf: GPUBuffer): void {
    if (this.pool.owns(buf)) this.pool.pin(buf);
    else this.pinnedUniforms.add(buf);
  }

  /** @internal */
  unpinForPlan(buf: GPUBuffer): void {
    if (this.pool.owns(buf)) this.pool.unpin(buf);
    else this.pinnedUniforms.delete(buf);
  }

  /** Copies `bytes` of a buffer range to the CPU. Everything encoded before is submitted first. */
  async read(op: string, range: BufferRange, bytes: number): Promise<ArrayBuffer> {
    if (this.recorder) throw new ArgumentError(op, 'cannot read data back inside a compiled step (return the tensor from the step and read it afterwards)');
    if (this.lostError) throw this.lostError;
    this.ensureBatch(op); // the staging buffer is created inside the batch's error scopes
    const staging = this.staging.acquire(bytes);
    this.copy(op, range.buffer, staging, bytes, range.offset);
    this.flush();
    this.stats.readbacks++;
    this.stats.readbackBytes += bytes;
    try {
      await staging.mapAsync(MAP_READ_MODE, 0, staging.size);
    } catch (e) {
      await this.checkErrors();
      throw this.lostError ?? new WgslNNError(`${op}: reading back ${bytes} bytes failed: ${(e as Error).message}`, { cause: e });
    }
    const out = staging.getMappedRange(0, staging.size).slice(0, bytes);
    staging.unmap();
    this.staging.release(staging);
    await this.checkErrors();
    return out;
  }

  /** Resolves once GPU errors of the work submitted so far are known; throws the first one. */
  async checkErrors(): Promise<void> {
    this.flush();
    await Promise.all([...this.errorChecks]);
    if (this.errors.length) {
      // The root cause first: a failed allocation or a lost device makes every later use of it a
      // validation error ("Invalid Buffer"), which would otherwise hide it.
      const worst = this.errors.reduce((a, e) => (severity(e) > severity(a) ? e : a));
      this.errors.length = 0;
      throw worst;
    }
  }

  /** Resolves when the GPU has finished the work submitted so far. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.checkErrors();
  }

  memory(): PoolStats & { uniformBuffers: number; pipelines: number; bindGroups: number } {
    return { ...this.pool.getStats(), uniformBuffers: this.uniforms.size, pipelines: this.pipelines.size, bindGroups: this.bindGroups.size };
  }

  /** Gives the pool's free buffers back to the driver. */
  trim(): number {
    this.flush();
    return this.pool.trim();
  }

  destroy(): void {
    this.flush();
    this.destroyed = true;
    // Everything that would use the device from now on throws this (allocate, dispatch, read, replays).
    this.lostError ??= new DeviceLostError('destroyed', 'the runtime was destroyed by runtime.destroy(); create a new one with init() and new tensors, models and compiled steps on it');
    this.staging.destroy();
    this.device.destroy();
    if (current === this) current = null;
  }

  /** @internal Opens a batch (and its error scopes) unless one is open: GPU calls made now report errors under `op`. */
  beginBatch(op: string): void {
    this.ensureBatch(op);
  }

  private ensureBatch(op: string): void {
    if (this.lostError) throw this.lostError;
    if (this.encoder) return;
    this.device.pushErrorScope('internal');
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    this.batch = { label: op, ops: [], kernels: [], scoped: true };
    this.encoder = this.device.createCommandEncoder({ label: op });
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
      this.passPipeline = null;
    }
  }

  /** @internal Error scopes submitted and not yet settled (bounded: settled ones are dropped). */
  get pendingErrorChecks(): number {
    return this.errorChecks.size;
  }

  /** `refine`: finds a narrower context for a validation error (the dispatch of a compiled step that caused it). */
  private watch(p: Promise<GPUError | null>, ctx: GPUErrorContext, what = '', refine?: () => Promise<GPUErrorContext | null>): void {
    const check: Promise<void> = p.then(
      async (e) => {
        if (!e) return;
        const narrow = refine && e.constructor?.name?.includes('Validation') ? await refine().catch(() => null) : null;
        this.errors.push(this.toTyped(e, narrow ?? ctx, what));
      },
      // A scope popped on a lost device may reject: the loss itself is reported (lostError), once.
      () => {},
    ).finally(() => this.errorChecks.delete(check));
    this.errorChecks.add(check);
  }

  private toTyped(e: GPUError, ctx: GPUErrorContext, what = ''): WgslNNError {
    const name = e.constructor?.name ?? '';
    if (name.includes('OutOfMemory')) return new GPUOutOfMemoryError(what + e.message, ctx);
    if (name.includes('Internal')) return new GPUInternalError(what + e.message, ctx);
    return new GPUValidationError(what + e.message, ctx);
  }

  private layoutFor(kernel: Kernel): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout; id: number } {
    let l = this.layouts.get(kernel);
    if (l) return l;
    const entries: GPUBindGroupLayoutEntry[] = kernel.reflect().map((b) => ({
      binding: b.binding,
      visibility: COMPUTE_STAGE,
      buffer: { type: b.kind === 'uniform' ? 'uniform' : b.kind === 'read' ? 'read-only-storage' : 'storage' },
    }));
    const group = this.device.createBindGroupLayout({ entries, label: kernel.name });
    const pipeline = this.device.createPipelineLayout({ bindGroupLayouts: [group], label: kernel.name });
    l = { group, pipeline, id: this.layouts.size + 1 };
    this.layouts.set(kernel, l);
    return l;
  }

  private pipelineFor(kernel: Kernel, layout: GPUPipelineLayout, spec?: Specialization, overrides?: Overrides): GPUComputePipeline {
    const frozen = spec && !overrides && Object.isFrozen(spec);
    if (frozen) {
      const hit = this.pipelinesBySpec.get(spec);
      if (hit?.kernel === kernel) return hit.pipeline;
    }
    // Built by hand: this runs for every dispatch, and JSON.stringify showed up in profiles.
    let key = kernel.name;
    if (spec) for (const k in spec) key += `|${k}=${spec[k]}`;
    if (overrides) for (const k in overrides) key += `|@${k}=${overrides[k]}`;
    let p = this.pipelines.get(key);
    if (p) {
      if (frozen) this.pipelinesBySpec.set(spec, { kernel, pipeline: p });
      return p;
    }
    const module = this.device.createShaderModule({ code: kernel.specialize(spec), label: kernel.name });
    p = this.device.createComputePipeline({
      layout,
      compute: { module, entryPoint: kernel.entryPoint, constants: overrides },
      label: `${kernel.name} ${key}`,
    });
    this.pipelines.set(key, p);
    if (frozen) this.pipelinesBySpec.set(spec, { kernel, pipeline: p });
    this.stats.pipelinesCreated++;
    return p;
  }

  private uniformFor(words: Uint32Array, op: string, kernel: string): { buffer: GPUBuffer; id: number } {
    // The length, then the words up to the last nonzero one as UTF-16 code units: an exact key (params
    // blocks are mostly zero padding), much cheaper to build than words.join(',').
    let used = words.length;
    while (used > 0 && words[used - 1] === 0) used--;
    const key = String.fromCharCode(words.length) + String.fromCharCode.apply(null, new Uint16Array(words.buffer, words.byteOffset, used * 2) as unknown as number[]);
    let u = this.uniforms.get(key);
    if (u) return u;
    const size = Math.max(16, Math.ceil(words.byteLength / 16) * 16);
    let buffer: GPUBuffer;
    try {
      buffer = this.device.createBuffer({ size, usage: UNIFORM | COPY_DST, mappedAtCreation: true, label: 'wgsl-nn uniform' });
    } catch (e) {
      // WebGPU throws a RangeError when a buffer mapped at creation cannot be allocated.
      if (!(e instanceof RangeError)) throw e;
      throw new GPUOutOfMemoryError(`creating a ${size}-byte uniform buffer: ${e.message} (free tensors, dispose compiled steps or lower maxPlans)`, { ops: [op], kernels: [kernel] });
    }
    new Uint32Array(buffer.getMappedRange()).set(words);
    buffer.unmap();
    u = { buffer, id: this.nextUniformId++ };
    this.uniforms.set(key, u);
    this.stats.buffersCreated++;
    return u;
  }
}
