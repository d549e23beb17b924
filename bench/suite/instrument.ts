// Counts the GPU objects and commands a library issues, by wrapping methods of its GPUDevice (and of the
// encoders/queue it hands out). The same wrapper is installed on both libraries' devices so their columns
// compare; the cost is one extra JS call per wrapped method (nanoseconds, far below per-op costs).
import type { DeviceCounters } from './types.js';

export function zeroCounters(): DeviceCounters {
  return { dispatches: 0, submits: 0, pipelinesCreated: 0, bindGroupsCreated: 0, buffersCreated: 0, writeBuffers: 0, errors: 0 };
}

type AnyFn = (...args: any[]) => any;

function wrap<T extends object>(obj: T, name: string, after: (result: any, args: any[]) => any): void {
  const o = obj as unknown as Record<string, AnyFn>;
  const orig = o[name];
  if (typeof orig !== 'function') return;
  o[name] = function (this: unknown, ...args: any[]) {
    const r = orig.apply(obj, args);
    return after(r, args) ?? r;
  };
}

/** Wraps `device` in place; returns the live counters. */
export function instrumentDevice(device: GPUDevice): DeviceCounters {
  const c = zeroCounters();
  const passWrapped = (pass: GPUComputePassEncoder): void => {
    wrap(pass, 'dispatchWorkgroups', () => void c.dispatches++);
    wrap(pass, 'dispatchWorkgroupsIndirect', () => void c.dispatches++);
  };
  wrap(device, 'createCommandEncoder', (enc: GPUCommandEncoder) => {
    wrap(enc, 'beginComputePass', (pass: GPUComputePassEncoder) => void passWrapped(pass));
  });
  wrap(device, 'createComputePipeline', () => void c.pipelinesCreated++);
  wrap(device, 'createComputePipelineAsync', () => void c.pipelinesCreated++);
  wrap(device, 'createBindGroup', () => void c.bindGroupsCreated++);
  wrap(device, 'createBuffer', () => void c.buffersCreated++);
  wrap(device.queue, 'submit', () => void c.submits++);
  wrap(device.queue, 'writeBuffer', () => void c.writeBuffers++);
  // TF.js reports no WebGPU error to its caller (a failed allocation leaves an invalid buffer and the ops go on):
  // count them, so a case with errors is reported as failed rather than timed.
  if (typeof device.addEventListener === 'function') device.addEventListener('uncapturederror', () => void c.errors++);
  return c;
}

export function diffCounters<T extends object>(after: T, before: T, per = 1): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(after) as (keyof T)[]) {
    const a = after[k], b = before[k];
    if (typeof a === 'number' && typeof b === 'number') out[k as string] = (a - b) / per;
  }
  return out;
}
