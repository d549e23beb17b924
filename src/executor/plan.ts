import { writeWords, type Runtime } from '../device.js';
import { dispatchGrid } from '../kernel.js';
import type { RecordedBinding, RecordedCommand, Recorder } from './recorder.js';
import { tensorSerial, type Tensor } from '../tensor.js';
import type { ReplaySegment } from './interleave.js';

/** One buffer allocation seen during a trace, with the commands that touched it. */
interface VirtualBuffer {
  id: number;
  traced: GPUBuffer;
  bytes: number;
  released: boolean;
  firstUse: number;
  lastUse: number;
}

type Ref = { virtual: VirtualBuffer } | { external: GPUBuffer };

type PlannedCommand =
  /** `dead`: not replayed (everything it writes is an intermediate nothing else uses). */
  | { kind: 'dispatch'; op: string; kernel: string; pipeline: GPUComputePipeline; layout: GPUBindGroupLayout; refs: Ref[]; bindings: RecordedBinding[]; writable: readonly boolean[]; grid: readonly [number, number, number]; group?: GPUBindGroup; dead?: boolean }
  /** `elided`: not replayed (its source was redirected onto its destination, or folded into an upload). */
  | { kind: 'copy'; op: string; src: Ref; srcOffset: number; dst: Ref; dstOffset: number; bytes: number; elided?: boolean }
  /**
   * `direct`: written with queue.writeBuffer before the submit (nothing earlier in the step touches the range);
   * otherwise through `source`, a plan-owned buffer copied in at its place in the command order.
   */
  | { kind: 'upload'; op: string; dst: Ref; dstOffset: number; data: Uint8Array; produce?: () => ArrayBufferView; source?: GPUBuffer; direct?: boolean; elided?: boolean };

/** Collects a trace: which buffers each command used, mapped to the allocation live at that moment. */
export class TraceRecorder implements Recorder {
  readonly commands: PlannedCommand[] = [];
  readonly virtuals: VirtualBuffer[] = [];
  /** Tensors made before the trace that it used: a replay needs every one alive. */
  readonly external = new Set<Tensor>();
  readonly checks: (() => void)[] = [];
  private readonly live = new Map<GPUBuffer, VirtualBuffer>();
  private readonly firstSerial = tensorSerial();

  onTensor(t: Tensor): void {
    if (t.serial < this.firstSerial) this.external.add(t);
  }

  onCheck(check: () => void): void {
    this.checks.push(check);
  }

  onAllocate(buf: GPUBuffer, bytes: number): void {
    const v: VirtualBuffer = { id: this.virtuals.length, traced: buf, bytes, released: false, firstUse: -1, lastUse: -1 };
    this.virtuals.push(v);
    this.live.set(buf, v);
  }

  onRelease(buf: GPUBuffer): void {
    const v = this.live.get(buf);
    if (v) {
      v.released = true;
      this.live.delete(buf);
    }
  }

  onCommand(cmd: RecordedCommand): void {
    const index = this.commands.length;
    const ref = (buf: GPUBuffer): Ref => {
      const v = this.live.get(buf);
      if (!v) return { external: buf };
      if (v.firstUse < 0) v.firstUse = index;
      v.lastUse = index;
      return { virtual: v };
    };
    switch (cmd.kind) {
      case 'dispatch':
        this.commands.push({ ...cmd, refs: cmd.bindings.map((b) => ref(b.buffer)) });
        break;
      case 'copy':
        this.commands.push({ kind: 'copy', op: cmd.op, src: ref(cmd.src), srcOffset: cmd.srcOffset, dst: ref(cmd.dst), dstOffset: cmd.dstOffset, bytes: cmd.bytes });
        break;
      case 'upload':
        this.commands.push({ kind: 'upload', op: cmd.op, dst: ref(cmd.dst), dstOffset: cmd.dstOffset, data: cmd.data, produce: cmd.produce });
        break;
    }
  }

  /** Whether a buffer was allocated during the trace and is still alive. */
  isLive(buf: GPUBuffer): boolean {
    return this.live.has(buf);
  }
}

export interface PlanMemory {
  /** Bytes of the buffers the plan owns for intermediates (after liveness-based reuse). */
  peakBytes: number;
  /** What the intermediates would take with one buffer each. */
  naiveBytes: number;
  intermediates: number;
  physicalBuffers: number;
}

/** What one replay encodes, and what building the plan removed. */
export interface PlanCounts {
  dispatches: number;
  /** Buffer copies encoded per replay (inside the step; the compiled step's input and output copies excluded). */
  copies: number;
  /** Compute passes per replay (a copy between dispatches ends one). */
  passes: number;
  /** Uploads written with queue.writeBuffer just before the submit, needing no copy. */
  directUploads: number;
  /** Copies removed because their source was written straight into their destination (gradients into the optimizer's arena). */
  elidedCopies: number;
  /** Dispatches removed because nothing used what they wrote (a backward seed of ones that no rule read). */
  deadDispatches: number;
}

/**
 * Timestamp queries around the passes of one replay (profiling): each pass writes its begin and end into
 * `querySet` at 2p, 2p+1; `perDispatch` gives every dispatch a pass of its own. The values are resolved
 * into `resolve` and copied to `readback` (8 bytes each) in the same command buffer.
 */
export interface PassTiming {
  querySet: GPUQuerySet;
  perDispatch: boolean;
  resolve: GPUBuffer;
  readback: GPUBuffer;
}

const COPY_SRC = 0x04, COPY_DST = 0x08;
/** Constant uploads up to this size are rewritten at each replay instead of being copied from a plan-owned buffer. */
const DIRECT_CONSTANT_BYTES = 64 * 1024;

interface ByteRange {
  buffer: GPUBuffer;
  start: number;
  end: number;
}

type UploadCommand = Extract<PlannedCommand, { kind: 'upload' }>;

const overlaps = (r: ByteRange, buffer: GPUBuffer, start: number, end: number): boolean =>
  r.buffer === buffer && r.start < end && start < r.end;

/**
 * A recorded step: fixed command order, every bind group created once, intermediates packed into
 * buffers by liveness (an allocation whose last use precedes another's first use can share its buffer).
 * Building it also removes work the trace did only because ops ran one at a time: a gradient copied
 * into the optimizer's arena is written there directly, and uploads nothing earlier in the step reads
 * are written before the submit instead of being copied in mid-step. Replaying encodes everything into
 * one command buffer: one `queue.submit`.
 */
export class Plan {
  readonly memory: PlanMemory;
  readonly counts: PlanCounts;
  private readonly owned: GPUBuffer[] = [];
  private readonly pinned = new Set<GPUBuffer>();
  private readonly physical = new Map<VirtualBuffer, GPUBuffer>();
  /** Transient buffers redirected onto a range of another buffer (the copy that filled that range is gone). */
  private readonly aliases = new Map<VirtualBuffer, { buffer: GPUBuffer; offset: number }>();
  /** Commands encoded at each replay, in order. */
  private readonly encoded: PlannedCommand[];
  private readonly directUploads: UploadCommand[];
  private readonly sourcedUploads: UploadCommand[];
  private readonly kernels: string[];
  /** `encoded` as passes and copy runs (what an untimed replay encodes; see encodeInterleaved). */
  private readonly segments: ReplaySegment[];
  private disposed = false;

  /** `inputBuffers`: buffers the replay's prologue writes (the compiled step's input slots). */
  constructor(private readonly rt: Runtime, private readonly commands: PlannedCommand[], virtuals: VirtualBuffer[], private readonly label: string, inputBuffers: readonly GPUBuffer[] = []) {
    // Bind groups and upload buffers are created inside error scopes that name the step.
    rt.beginBatch(`${label} (building its plan)`);
    const transient = virtuals.filter((v) => v.released && v.firstUse >= 0);
    const deadDispatches = this.removeDeadDispatches(transient);
    const elidedCopies = this.elideCopies(new Set(transient));
    this.foldUploadCopies();
    this.memory = this.assignBuffers(transient);
    this.markDirectUploads(inputBuffers);
    for (const cmd of commands) {
      if (cmd.kind === 'dispatch') {
        if (cmd.dead) continue;
        for (const r of cmd.refs) this.pinRef(r);
        cmd.group = rt.createBindGroup(cmd.layout, cmd.bindings.map((b, i) => this.binding(cmd.refs[i]!, b)), `${label}: ${cmd.kernel}`);
      } else if (cmd.kind === 'copy') {
        if (cmd.elided) continue;
        this.pinRef(cmd.src);
        this.pinRef(cmd.dst);
      } else {
        if (cmd.elided) continue;
        this.pinRef(cmd.dst);
        if (cmd.direct) continue;
        cmd.source = rt.device.createBuffer({ size: Math.max(4, Math.ceil(cmd.data.byteLength / 4) * 4), usage: COPY_SRC | COPY_DST, label: `${label}: upload ${cmd.op}` });
        rt.stats.buffersCreated++;
        rt.device.queue.writeBuffer(cmd.source, 0, cmd.data);
      }
    }
    this.encoded = commands.filter((c) => (c.kind === 'dispatch' ? !c.dead : !c.elided && !(c.kind === 'upload' && c.direct)));
    const uploads = commands.filter((c): c is UploadCommand => c.kind === 'upload' && !c.elided);
    this.directUploads = uploads.filter((u) => u.direct);
    this.sourcedUploads = uploads.filter((u) => !u.direct && u.produce);
    this.kernels = commands.flatMap((c) => (c.kind === 'dispatch' && !c.dead ? [c.kernel] : []));
    this.segments = this.buildSegments();
    let passes = 0, inPass = false;
    for (const c of this.encoded) {
      if (c.kind === 'dispatch' && !inPass) passes++;
      inPass = c.kind === 'dispatch';
    }
    this.counts = {
      dispatches: this.kernels.length,
      copies: this.encoded.length - this.kernels.length,
      passes,
      directUploads: this.directUploads.length,
      elidedCopies,
      deadDispatches,
    };
  }

  get dispatches(): number {
    return this.counts.dispatches;
  }

  /** The dispatches one replay encodes, in order (what a per-dispatch profile's timings belong to). */
  dispatchList(): { op: string; kernel: string; grid: readonly [number, number, number] }[] {
    return this.encoded.flatMap((c) => (c.kind === 'dispatch' ? [{ op: c.op, kernel: c.kernel, grid: c.grid }] : []));
  }

  /**
   * Encodes the whole step and submits it once. `write` runs first (queue.writeBuffer of the inputs),
   * then the plan's own uploads; `prologue`/`epilogue` add input and output copies around the step.
   */
  replay(write: (queue: GPUQueue) => void, prologue: (enc: GPUCommandEncoder) => void, epilogue: (enc: GPUCommandEncoder) => void, timing?: PassTiming): void {
    if (this.disposed) throw new Error(`${this.label}: the compiled plan was disposed`);
    const writeAll = (queue: GPUQueue) => {
      write(queue);
      for (const u of this.directUploads) writeWords(queue, this.resolve(u.dst), u.dstOffset, u.produce ? u.produce() : u.data);
      for (const u of this.sourcedUploads) writeWords(queue, u.source!, 0, u.produce!());
    };
    if (!timing) {
      this.rt.submitReplay(this.label, this.kernels, { prologue, segments: this.segments, epilogue }, writeAll, this, () => this.findInvalidDispatch());
      this.rt.stats.dispatches += this.counts.dispatches;
      return;
    }
    this.rt.submitCommands(this.label, this.kernels, (enc) => {
      prologue(enc);
      let pass: GPUComputePassEncoder | null = null;
      let pipeline: GPUComputePipeline | null = null;
      let query = 0;
      const begin = () => {
        if (!timing) return enc.beginComputePass();
        const timestampWrites = { querySet: timing.querySet, beginningOfPassWriteIndex: query, endOfPassWriteIndex: query + 1 };
        query += 2;
        return enc.beginComputePass({ timestampWrites });
      };
      for (const cmd of this.encoded) {
        if (cmd.kind === 'dispatch') {
          pass ??= begin();
          if (cmd.pipeline !== pipeline) pass.setPipeline((pipeline = cmd.pipeline));
          pass.setBindGroup(0, cmd.group!);
          dispatchGrid(pass, cmd.grid);
          if (timing?.perDispatch) {
            pass.end();
            pass = null;
            pipeline = null;
          }
          continue;
        }
        if (pass) {
          pass.end();
          pass = null;
          pipeline = null;
        }
        if (cmd.kind === 'copy') enc.copyBufferToBuffer(this.resolve(cmd.src), cmd.srcOffset, this.resolve(cmd.dst), cmd.dstOffset, cmd.bytes);
        else enc.copyBufferToBuffer(cmd.source!, 0, this.resolve(cmd.dst), cmd.dstOffset, cmd.source!.size);
      }
      pass?.end();
      if (timing && query) {
        enc.resolveQuerySet(timing.querySet, 0, query, timing.resolve, 0);
        enc.copyBufferToBuffer(timing.resolve, 0, timing.readback, 0, query * 8);
      }
      epilogue(enc);
    }, writeAll, () => this.findInvalidDispatch(), this);
    this.rt.stats.dispatches += this.counts.dispatches;
  }

  private buildSegments(): ReplaySegment[] {
    const segments: ReplaySegment[] = [];
    let copies: (() => [GPUBuffer, number, GPUBuffer, number, number])[] = [];
    for (const cmd of this.encoded) {
      if (cmd.kind === 'dispatch') {
        const last = segments[segments.length - 1];
        const run = last?.kind === 'pass' && !copies.length ? last : null;
        this.closeCopies(segments, copies);
        copies = [];
        const d = { pipeline: cmd.pipeline, group: cmd.group!, grid: cmd.grid };
        if (run) (run.dispatches as typeof d[]).push(d);
        else segments.push({ kind: 'pass', dispatches: [d] });
        continue;
      }
      if (cmd.kind === 'copy') copies.push(() => [this.resolve(cmd.src), cmd.srcOffset, this.resolve(cmd.dst), cmd.dstOffset, cmd.bytes]);
      else copies.push(() => [cmd.source!, 0, this.resolve(cmd.dst), cmd.dstOffset, cmd.source!.size]);
    }
    this.closeCopies(segments, copies);
    return segments;
  }

  private closeCopies(segments: ReplaySegment[], copies: (() => [GPUBuffer, number, GPUBuffer, number, number])[]): void {
    if (!copies.length) return;
    const args = copies.map((c) => c());
    segments.push({ kind: 'copy', encode: (enc) => { for (const a of args) enc.copyBufferToBuffer(...a); } });
  }

  /**
   * After a validation error in a replay: encodes each dispatch alone in its own error scope, without
   * submitting (nothing runs), and returns the first one WebGPU rejects, or null.
   */
  private async findInvalidDispatch(): Promise<{ ops: string[]; kernels: string[] } | null> {
    const device = this.rt.device;
    const checks = this.encoded.flatMap((cmd) => {
      if (cmd.kind !== 'dispatch') return [];
      device.pushErrorScope('validation');
      const enc = device.createCommandEncoder({ label: `${this.label}: check ${cmd.op}` });
      const pass = enc.beginComputePass();
      pass.setPipeline(cmd.pipeline);
      pass.setBindGroup(0, cmd.group!);
      dispatchGrid(pass, cmd.grid);
      pass.end();
      enc.finish();
      return [device.popErrorScope().then((e) => (e ? { ops: [`${this.label}: ${cmd.op}`], kernels: [cmd.kernel] } : null))];
    });
    return (await Promise.all(checks)).find((c) => c !== null) ?? null;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.pinned) this.rt.unpinForPlan(b);
    for (const b of this.owned) this.rt.release(b);
    for (const cmd of this.commands) if (cmd.kind === 'upload') cmd.source?.destroy();
  }

  private resolve(ref: Ref): GPUBuffer {
    if ('external' in ref) return ref.external;
    return this.aliases.get(ref.virtual)?.buffer ?? this.physical.get(ref.virtual) ?? ref.virtual.traced;
  }

  /** A recorded binding moved onto the buffer (and, for an alias, the offset) the plan assigned. */
  private binding(ref: Ref, b: RecordedBinding): RecordedBinding {
    const alias = 'virtual' in ref ? this.aliases.get(ref.virtual) : undefined;
    if (alias) return { buffer: alias.buffer, offset: alias.offset + (b.offset ?? 0), size: b.size };
    return { ...b, buffer: this.resolve(ref) };
  }

  private range(ref: Ref, offset: number, bytes: number | undefined): ByteRange {
    const alias = 'virtual' in ref ? this.aliases.get(ref.virtual) : undefined;
    const buffer = this.resolve(ref);
    const start = (alias?.offset ?? 0) + offset;
    return { buffer, start, end: bytes === undefined ? buffer.size : start + bytes };
  }

  /** Byte ranges a command reads or writes, on the buffers currently assigned. */
  private touched(cmd: PlannedCommand): ByteRange[] {
    if (cmd.kind === 'dispatch') return cmd.dead ? [] : cmd.bindings.map((b, i) => this.range(cmd.refs[i]!, b.offset ?? 0, b.size));
    if (cmd.elided) return [];
    if (cmd.kind === 'copy') return [this.range(cmd.src, cmd.srcOffset, cmd.bytes), this.range(cmd.dst, cmd.dstOffset, cmd.bytes)];
    return [this.range(cmd.dst, cmd.dstOffset, Math.ceil(cmd.data.byteLength / 4) * 4)];
  }

  private touchedBefore(index: number, buffer: GPUBuffer, start: number, end: number, from = 0): boolean {
    for (let i = from; i < index; i++) {
      for (const r of this.touched(this.commands[i]!)) if (overlaps(r, buffer, start, end)) return true;
    }
    return false;
  }

  /**
   * A dispatch whose every writable binding is an intermediate no other command uses computes nothing
   * anyone sees. Returns how many there were; the intermediates they wrote get no buffer.
   */
  private removeDeadDispatches(transient: VirtualBuffer[]): number {
    const transientSet = new Set(transient);
    const unused = new Set<VirtualBuffer>();
    let dead = 0;
    this.commands.forEach((c, index) => {
      if (c.kind !== 'dispatch') return;
      const written = c.refs.filter((_, i) => c.writable[i]);
      const isDead = written.length > 0 && written.every((r) => 'virtual' in r && transientSet.has(r.virtual) && r.virtual.firstUse === index && r.virtual.lastUse === index);
      if (!isDead) return;
      c.dead = true;
      dead++;
      for (const r of written) unused.add((r as { virtual: VirtualBuffer }).virtual);
    });
    for (let i = transient.length - 1; i >= 0; i--) if (unused.has(transient[i]!)) transient.splice(i, 1);
    return dead;
  }

  /**
   * A transient buffer whose whole content ends in one copy to a range of an outside buffer (a gradient
   * into the optimizer's arena), used only by dispatches through sized bindings until then, while no
   * other command touches that range: its dispatches write the range directly and the copy goes.
   */
  private elideCopies(transient: Set<VirtualBuffer>): number {
    const align = this.rt.limits.minStorageBufferOffsetAlignment;
    let elided = 0;
    this.commands.forEach((c, index) => {
      if (c.kind !== 'copy' || !('virtual' in c.src) || !('external' in c.dst) || c.srcOffset !== 0) return;
      const v = c.src.virtual;
      if (!transient.has(v) || v.lastUse !== index) return;
      const target = c.dst.external, start = c.dstOffset, end = start + c.bytes;
      for (let i = v.firstUse; i < index; i++) {
        const cmd = this.commands[i]!;
        const usesV = cmd.kind === 'dispatch' ? cmd.refs.some((r) => 'virtual' in r && r.virtual === v)
          : !cmd.elided && [cmd.kind === 'copy' ? cmd.src : cmd.dst, cmd.dst].some((r) => 'virtual' in r && r.virtual === v);
        if (usesV && cmd.kind !== 'dispatch') return;
        if (cmd.kind === 'dispatch') {
          const fits = cmd.bindings.every((b, j) => {
            const r = cmd.refs[j]!;
            if (!('virtual' in r) || r.virtual !== v) return true;
            return b.size !== undefined && (b.offset ?? 0) + b.size <= c.bytes && (start + (b.offset ?? 0)) % align === 0;
          });
          if (!fits) return;
        }
        if (this.touched(cmd).some((r) => overlaps(r, target, start, end))) return;
      }
      this.aliases.set(v, { buffer: target, offset: start });
      transient.delete(v);
      c.elided = true;
      elided++;
    });
    return elided;
  }

  /**
   * An upload into an outside buffer range that is then copied whole elsewhere, the range being touched
   * by nothing else in the step (the optimizer's hyperparameter ring): upload to the destination instead.
   */
  private foldUploadCopies(): void {
    this.commands.forEach((u, k) => {
      if (u.kind !== 'upload' || u.elided || !('external' in u.dst)) return;
      const src = u.dst.external, start = u.dstOffset, bytes = Math.ceil(u.data.byteLength / 4) * 4;
      const users = this.commands.flatMap((c, i) => (i !== k && this.touched(c).some((r) => overlaps(r, src, start, start + bytes)) ? [i] : []));
      const copy = users.length === 1 ? this.commands[users[0]!]! : null;
      if (!copy || copy.kind !== 'copy' || users[0]! < k || copy.srcOffset !== start || copy.bytes !== bytes) return;
      if (!('external' in copy.src) || copy.src.external !== src) return;
      this.commands[users[0]!] = { kind: 'upload', op: u.op, dst: copy.dst, dstOffset: copy.dstOffset, data: u.data, produce: u.produce };
      u.elided = true;
    });
  }

  /** Uploads whose range nothing earlier in the step touches are written before the submit. */
  private markDirectUploads(inputBuffers: readonly GPUBuffer[]): void {
    this.commands.forEach((u, k) => {
      if (u.kind !== 'upload' || u.elided) return;
      if (!u.produce && u.data.byteLength > DIRECT_CONSTANT_BYTES) return;
      const { buffer, start, end } = this.range(u.dst, u.dstOffset, Math.ceil(u.data.byteLength / 4) * 4);
      if (inputBuffers.includes(buffer) || this.touchedBefore(k, buffer, start, end)) return;
      u.direct = true;
    });
  }

  private pin(buf: GPUBuffer): void {
    if (this.pinned.has(buf)) return;
    this.pinned.add(buf);
    this.rt.pinForPlan(buf);
  }

  private pinRef(ref: Ref): void {
    const buf = this.resolve(ref);
    if (!this.owned.includes(buf)) this.pin(buf);
  }

  /** Greedy interval packing: reuse the smallest free buffer big enough once its last user has run. */
  private assignBuffers(transient: VirtualBuffer[]): PlanMemory {
    const byStart = transient.filter((v) => !this.aliases.has(v)).sort((a, b) => a.firstUse - b.firstUse);
    const free: { buf: GPUBuffer; size: number }[] = [];
    const busy: { buf: GPUBuffer; size: number; until: number }[] = [];
    let peak = 0;
    for (const v of byStart) {
      for (let i = busy.length - 1; i >= 0; i--) {
        if (busy[i]!.until < v.firstUse) free.push(...busy.splice(i, 1));
      }
      let best = -1;
      for (let i = 0; i < free.length; i++) {
        if (free[i]!.size >= v.bytes && (best < 0 || free[i]!.size < free[best]!.size)) best = i;
      }
      let slot: { buf: GPUBuffer; size: number };
      if (best >= 0) slot = free.splice(best, 1)[0]!;
      else {
        const buf = this.rt.allocate(`${this.label} (plan)`, v.bytes);
        slot = { buf, size: this.rt.pool.sizeOf(buf) };
        this.owned.push(buf);
        peak += slot.size;
      }
      this.physical.set(v, slot.buf);
      busy.push({ ...slot, until: v.lastUse });
    }
    const naive = transient.reduce((s, v) => s + this.rt.pool.classOf(v.bytes), 0);
    return { peakBytes: peak, naiveBytes: naive, intermediates: transient.length, physicalBuffers: this.owned.length };
  }
}
