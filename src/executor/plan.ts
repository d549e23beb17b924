import type { Runtime } from '../device.js';
import { sizeClass } from '../buffer-pool.js';
import type { RecordedBinding, RecordedCommand, Recorder } from './recorder.js';

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
  | { kind: 'dispatch'; op: string; kernel: string; pipeline: GPUComputePipeline; layout: GPUBindGroupLayout; refs: Ref[]; bindings: RecordedBinding[]; grid: readonly [number, number, number]; group?: GPUBindGroup }
  | { kind: 'copy'; op: string; src: Ref; srcOffset: number; dst: Ref; dstOffset: number; bytes: number }
  | { kind: 'upload'; op: string; dst: Ref; dstOffset: number; data: Uint8Array; produce?: () => ArrayBufferView; source?: GPUBuffer };

/** Collects a trace: which buffers each command used, mapped to the allocation live at that moment. */
export class TraceRecorder implements Recorder {
  readonly commands: PlannedCommand[] = [];
  readonly virtuals: VirtualBuffer[] = [];
  private readonly live = new Map<GPUBuffer, VirtualBuffer>();

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

const COPY_SRC = 0x04, COPY_DST = 0x08;

/**
 * A recorded step: fixed command order, every bind group created once, intermediates packed into
 * buffers by liveness (an allocation whose last use precedes another's first use can share its buffer).
 * Replaying encodes everything into one command buffer: one `queue.submit`.
 */
export class Plan {
  readonly memory: PlanMemory;
  readonly dispatches: number;
  private readonly owned: GPUBuffer[] = [];
  private readonly pinned = new Set<GPUBuffer>();
  private readonly physical = new Map<VirtualBuffer, GPUBuffer>();
  private readonly kernels: string[];
  private disposed = false;

  constructor(private readonly rt: Runtime, private readonly commands: PlannedCommand[], virtuals: VirtualBuffer[], private readonly label: string) {
    const transient = virtuals.filter((v) => v.released && v.firstUse >= 0);
    this.memory = this.assignBuffers(transient);
    for (const cmd of commands) {
      if (cmd.kind === 'dispatch') {
        for (const r of cmd.refs) this.pinRef(r);
        cmd.group = rt.createBindGroup(cmd.layout, cmd.bindings.map((b, i) => ({ ...b, buffer: this.resolve(cmd.refs[i]!) })), `${label}: ${cmd.kernel}`);
      } else if (cmd.kind === 'copy') {
        this.pinRef(cmd.src);
        this.pinRef(cmd.dst);
      } else {
        this.pinRef(cmd.dst);
        // Uploads go through a plan-owned source buffer copied in at their place in the command order:
        // queue.writeBuffer alone would land before the whole command buffer.
        cmd.source = rt.device.createBuffer({ size: Math.max(4, Math.ceil(cmd.data.byteLength / 4) * 4), usage: COPY_SRC | COPY_DST, label: `${label}: upload ${cmd.op}` });
        rt.stats.buffersCreated++;
        rt.device.queue.writeBuffer(cmd.source, 0, cmd.data);
      }
    }
    this.dispatches = commands.filter((c) => c.kind === 'dispatch').length;
    this.kernels = commands.flatMap((c) => (c.kind === 'dispatch' ? [c.kernel] : []));
  }

  /** The buffer a traced buffer maps to in this plan (outputs and state keep theirs). */
  bufferFor(traced: GPUBuffer): GPUBuffer {
    for (const [v, phys] of this.physical) if (v.traced === traced) return phys;
    return traced;
  }

  /** Encodes the whole step and submits it once; `prologue`/`epilogue` add input and output copies. */
  replay(prologue: (enc: GPUCommandEncoder) => void, epilogue: (enc: GPUCommandEncoder) => void): void {
    if (this.disposed) throw new Error(`${this.label}: the compiled plan was disposed`);
    const device = this.rt.device;
    for (const cmd of this.commands) {
      if (cmd.kind === 'upload' && cmd.produce) {
        const data = cmd.produce();
        device.queue.writeBuffer(cmd.source!, 0, data.buffer, data.byteOffset, Math.ceil(data.byteLength / 4) * 4);
      }
    }
    this.rt.submitCommands(this.label, this.kernels, (enc) => {
      prologue(enc);
      let pass: GPUComputePassEncoder | null = null;
      for (const cmd of this.commands) {
        if (cmd.kind === 'dispatch') {
          pass ??= enc.beginComputePass();
          pass.setPipeline(cmd.pipeline);
          pass.setBindGroup(0, cmd.group!);
          pass.dispatchWorkgroups(cmd.grid[0], cmd.grid[1], cmd.grid[2]);
          continue;
        }
        if (pass) {
          pass.end();
          pass = null;
        }
        if (cmd.kind === 'copy') enc.copyBufferToBuffer(this.resolve(cmd.src), cmd.srcOffset, this.resolve(cmd.dst), cmd.dstOffset, cmd.bytes);
        else enc.copyBufferToBuffer(cmd.source!, 0, this.resolve(cmd.dst), cmd.dstOffset, cmd.source!.size);
      }
      pass?.end();
      epilogue(enc);
    });
    this.rt.stats.dispatches += this.dispatches;
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
    return this.physical.get(ref.virtual) ?? ref.virtual.traced;
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
    const byStart = [...transient].sort((a, b) => a.firstUse - b.firstUse);
    const free: { buf: GPUBuffer; size: number }[] = [];
    const busy: { buf: GPUBuffer; size: number; until: number }[] = [];
    let naive = 0, peak = 0;
    for (const v of byStart) {
      naive += sizeClass(v.bytes);
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
    return { peakBytes: peak, naiveBytes: naive, intermediates: transient.length, physicalBuffers: this.owned.length };
  }
}
