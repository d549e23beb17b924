/** What a compiled step records while its trace runs eagerly (see src/executor/compile.ts). */
import type { Tensor } from '../tensor.js';

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
  /** A tensor an op used (Tensor.buffer): the step depends on it staying alive. */
  onTensor(t: Tensor): void;
  /** A check to run before every replay (an optimizer that must not have been disposed). */
  onCheck(check: () => void): void;
  onAllocate(buf: GPUBuffer, bytes: number): void;
  onRelease(buf: GPUBuffer): void;
  onCommand(cmd: RecordedCommand): void;
}
