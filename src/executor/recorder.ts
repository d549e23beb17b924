/** What a compiled step records while its trace runs eagerly (see src/executor/compile.ts). */

export interface RecordedBinding {
  buffer: GPUBuffer;
  offset?: number;
  size?: number;
}

export type RecordedCommand =
  /** `writable[i]`: whether binding i may be written (the kernel's read_write storage bindings). */
  | { kind: 'dispatch'; op: string; kernel: string; pipeline: GPUComputePipeline; layout: GPUBindGroupLayout; bindings: RecordedBinding[]; writable: readonly boolean[]; grid: readonly [number, number, number] }
  | { kind: 'copy'; op: string; src: GPUBuffer; srcOffset: number; dst: GPUBuffer; dstOffset: number; bytes: number }
  /** A queue.writeBuffer; `produce` (when given) makes fresh data at every replay (learning rate, step count, RNG step). */
  | { kind: 'upload'; op: string; dst: GPUBuffer; dstOffset: number; data: Uint8Array; produce?: () => ArrayBufferView };

export interface Recorder {
  onAllocate(buf: GPUBuffer, bytes: number): void;
  onRelease(buf: GPUBuffer): void;
  onCommand(cmd: RecordedCommand): void;
}
