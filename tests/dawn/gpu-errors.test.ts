import { describe, expect, it } from 'vitest';
import { compile, full, GPUOutOfMemoryError, GPUValidationError, type Runtime, type Tensor } from '../../src/index.js';
import { defineKernel } from '../../src/kernel.js';
import { fillKernel } from '../../kernels/fill.js';
import { nullRuntime } from '../helpers/null-device.js';

// dawn's null backend reports out-of-memory once its devices hold more than 512 MiB: a real OOM path
// (and real validation) with nothing executed. 24M floats = 96,000,000 bytes, a 96 MiB pool class: the
// sixth fails.
const BIG = 24_000_000;
const HELD = 5;

/** Fills the device to within 256 bytes: tensors of shrinking sizes until each size runs out of memory. */
async function fillDevice(): Promise<Tensor[]> {
  const held = Array.from({ length: HELD }, () => full([BIG], 1));
  for (const bytes of [2 ** 24, 2 ** 20, 2 ** 16, 2 ** 12, 256]) {
    for (;;) {
      const t = full([bytes / 4], 1);
      try {
        await t.rt.checkErrors();
      } catch {
        t.dispose();
        t.rt.trim();
        break;
      }
      held.push(t);
    }
  }
  return held;
}

async function withRuntime(fn: (rt: Runtime) => Promise<void>): Promise<void> {
  const rt = await nullRuntime();
  try {
    await fn(rt);
  } finally {
    rt.destroy();
  }
}

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('GPU errors are reported as what they are, with the op and kernel', () => {
  it('out of memory is a GPUOutOfMemoryError naming the op and kernel, not the follow-on "Invalid Buffer" validation error', () => withRuntime(async (rt) => {
    const held = Array.from({ length: HELD }, () => full([BIG], 1));
    await rt.checkErrors();
    full([BIG], 2); // its buffer cannot be created; the fill dispatch then binds an invalid buffer
    const e = await caught(rt.checkErrors());
    expect(e).toBeInstanceOf(GPUOutOfMemoryError);
    const oom = e as GPUOutOfMemoryError;
    expect(oom.context.ops).toEqual(['full']);
    expect(oom.context.kernels).toEqual(['fill']);
    expect(oom.message).toMatch(/out of memory in ops \[full\], kernels \[fill\].*96000000 bytes/s);
    // Reported once: the follow-on errors of the same failure are not thrown later.
    await rt.checkErrors();
    held.forEach((t) => t.dispose());
  }));

  it('out of memory while a compiled step traces names the op inside the step', () => withRuntime(async (rt) => {
    const held = Array.from({ length: HELD }, () => full([BIG], 1));
    await rt.checkErrors();
    const step = compile(() => full([BIG], 3), { name: 'big step' });
    step().dispose();
    const e = await caught(rt.checkErrors());
    expect(e).toBeInstanceOf(GPUOutOfMemoryError);
    expect((e as GPUOutOfMemoryError).context.ops).toEqual(['full']);
    expect(e.message).not.toContain('outside an error scope');
    step.dispose();
    held.forEach((t) => t.dispose());
  }));

  it('a uniform buffer that cannot be created is a GPUOutOfMemoryError, not an untyped RangeError', () => withRuntime(async (rt) => {
    // Fill the device to its last bytes, then refill a tensor made before with new words each time: only
    // uniform buffers are created (mapped at creation, which throws a RangeError when it cannot allocate).
    const target = full([1], 0);
    const held = await fillDevice();
    let thrown: unknown = null;
    for (let v = 10; v < 1000 && !thrown; v++) {
      try {
        rt.dispatch({ op: 'refill', kernel: fillKernel, bindings: { out: target.buffer(), p: Uint32Array.of(1, v) }, workgroups: 1 });
        await rt.checkErrors();
      } catch (e) {
        thrown = e;
      }
    }
    expect(thrown).toBeInstanceOf(GPUOutOfMemoryError);
    expect((thrown as GPUOutOfMemoryError).context.ops).toEqual(['refill']);
    expect((thrown as GPUOutOfMemoryError).context.kernels).toEqual(['fill']);
    expect((thrown as Error).message).toContain('uniform');
    target.dispose();
    held.forEach((t) => t.dispose());
  }));

  it('a validation error inside a compiled step names the dispatch (op and kernel) that caused it', () => withRuntime(async (rt) => {
    const k = defineKernel({
      name: 'misbound',
      source: '@group(0) @binding(0) var<storage, read_write> out: array<u32>;\n@compute @workgroup_size(1) fn main() { out[0] = 1u; }',
      bindings: { out: 'read_write' },
    });
    const t = full([128], 0);
    const step = compile(() => {
      const u = full([3], 1);
      // A storage binding at offset 4: WebGPU needs a multiple of minStorageBufferOffsetAlignment (256).
      rt.dispatch({ op: 'misaligned op', kernel: k, bindings: { out: { buffer: t.buffer().buffer, offset: 4, size: 4 } }, workgroups: 1 });
      return u;
    }, { name: 'bad step' });
    step().dispose(); // the trace: its eager dispatch fails like any eager op
    await caught(rt.checkErrors());
    step().dispose(); // a replay
    const e = await caught(rt.checkErrors());
    expect(e).toBeInstanceOf(GPUValidationError);
    expect((e as GPUValidationError).context).toEqual({ ops: ['bad step: misaligned op'], kernels: ['misbound'] });
    step.dispose();
    t.dispose();
  }));
});
