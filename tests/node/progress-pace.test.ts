import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressPace } from '../../src/train/progress-pace.js';

/**
 * fit's loop against a simulated GPU on fake timers: the CPU queues a step in `cpuMs`, the GPU runs steps
 * one after another in `gpuMs` each, and a loss read resolves when the GPU has finished that batch.
 */
async function simulate({ batches, cpuMs, gpuMs, every = 20, progressMs = 1000 }: { batches: number; cpuMs: number; gpuMs: number; every?: number; progressMs?: number }) {
  const pace = new ProgressPace(performance.now(), every, progressMs);
  const reads: { batch: number; at: number }[] = [];
  let gpuFree = 0, gpuIdle = 0, maxAhead = 0;
  const finish: number[] = [];
  const run = async () => {
    for (let batch = 1; batch <= batches; batch++) {
      await new Promise((r) => setTimeout(r, cpuMs));
      const queued = performance.now();
      if (queued > gpuFree && batch > 1) gpuIdle += queued - gpuFree;
      gpuFree = Math.max(gpuFree, queued) + gpuMs;
      finish[batch] = gpuFree;
      const wait = pace.beforeNext(batch, batches);
      if (wait) await wait;
      // Steps queued and not finished on the GPU when the CPU goes on.
      const now = performance.now();
      maxAhead = Math.max(maxAhead, finish.filter((f) => f > now).length);
      if (pace.due(batch, batches)) {
        const at = gpuFree;
        pace.reading(batch, new Promise<void>((r) => setTimeout(r, at - performance.now())).then(() => {
          reads.push({ batch, at: performance.now() });
        }));
      }
    }
    await pace.drain();
  };
  const done = run();
  await vi.runAllTimersAsync();
  await done;
  return { reads, gpuIdle, maxAhead, finish };
}

describe('fit progress pacing', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a slow GPU (3 s a step) reports every batch, from the first, and never waits for the CPU', async () => {
    const { reads, gpuIdle, finish } = await simulate({ batches: 10, cpuMs: 5, gpuMs: 3000 });
    expect(reads.map((r) => r.batch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Each report comes when its batch is done on the GPU.
    for (const r of reads) expect(r.at).toBe(finish[r.batch]);
    expect(gpuIdle).toBe(0);
  });

  it('a fast GPU (1 ms a step) reads every `every` batches and the last, with at most 2 × `every` steps queued', async () => {
    const { reads, maxAhead, gpuIdle } = await simulate({ batches: 200, cpuMs: 0.1, gpuMs: 1 });
    expect(reads.map((r) => r.batch)).toEqual([1, 21, 41, 61, 81, 101, 121, 141, 161, 181, 200]);
    expect(maxAhead).toBeLessThanOrEqual(40);
    expect(maxAhead).toBeGreaterThan(20);
    expect(gpuIdle).toBe(0);
  });

  it('in between (0.3 s a step) reports about every progressMs without starving the GPU', async () => {
    const { reads, gpuIdle } = await simulate({ batches: 40, cpuMs: 2, gpuMs: 300 });
    expect(reads[0]).toEqual({ batch: 1, at: 300 + 2 });
    expect(reads.at(-1)!.batch).toBe(40);
    for (let i = 1; i < reads.length; i++) expect(reads[i]!.at - reads[i - 1]!.at).toBeLessThanOrEqual(1000 + 2 * 300);
    expect(gpuIdle).toBe(0);
  });

  it('progressMs 0 reads every batch; Infinity only the first, every `every`, and the last', async () => {
    expect((await simulate({ batches: 7, cpuMs: 1, gpuMs: 10, progressMs: 0 })).reads.map((r) => r.batch)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await simulate({ batches: 45, cpuMs: 1, gpuMs: 10, progressMs: Infinity })).reads.map((r) => r.batch)).toEqual([1, 21, 41, 45]);
  });
});
