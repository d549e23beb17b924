import { dispatchGrid } from '../kernel.js';

/** One dispatch of a replay, with everything bound (a compiled plan's). */
export interface PassDispatch {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  grid: readonly [number, number, number];
}

/** A replay's commands as alternating runs: dispatches (one compute pass) and copies (outside any pass). */
export type ReplaySegment = { kind: 'pass'; dispatches: readonly PassDispatch[] } | { kind: 'copy'; encode: (enc: GPUCommandEncoder) => void };

/** What a compiled step's replay encodes: input copies, its segments, output copies. */
export interface ReplayCommands {
  prologue: (enc: GPUCommandEncoder) => void;
  segments: readonly ReplaySegment[];
  epilogue: (enc: GPUCommandEncoder) => void;
}

/**
 * Encodes several independent replays (steps that share no writable buffer) into one command buffer with
 * their dispatches interleaved: segment s of every replay together, the passes' dispatches round-robin
 * (replay 1's d-th, replay 2's d-th, …). Each replay's own commands keep their order, so each computes
 * exactly what it would alone; WebGPU orders dispatches as encoded and the implementation adds the barriers
 * the data needs. Neighbouring dispatches of different replays touch different buffers, so a GPU may run
 * them side by side, and replays of one architecture share each pipeline switch. One replay alone encodes
 * as it always did.
 */
export function encodeInterleaved(enc: GPUCommandEncoder, replays: readonly ReplayCommands[]): void {
  for (const r of replays) r.prologue(enc);
  let segments = 0;
  for (const r of replays) segments = Math.max(segments, r.segments.length);
  const passes: PassDispatch[][] = [];
  const copies: ((enc: GPUCommandEncoder) => void)[] = [];
  for (let s = 0; s < segments; s++) {
    passes.length = 0;
    copies.length = 0;
    let longest = 0;
    for (const r of replays) {
      const seg = r.segments[s];
      if (!seg) continue;
      if (seg.kind === 'pass') {
        passes.push(seg.dispatches as PassDispatch[]);
        longest = Math.max(longest, seg.dispatches.length);
      } else copies.push(seg.encode);
    }
    if (passes.length) {
      const pass = enc.beginComputePass();
      let pipeline: GPUComputePipeline | null = null;
      for (let d = 0; d < longest; d++) {
        for (const list of passes) {
          const x = list[d];
          if (!x) continue;
          if (x.pipeline !== pipeline) pass.setPipeline((pipeline = x.pipeline));
          pass.setBindGroup(0, x.group);
          dispatchGrid(pass, x.grid);
        }
      }
      pass.end();
    }
    for (const c of copies) c(enc);
  }
  for (const r of replays) r.epilogue(enc);
}
