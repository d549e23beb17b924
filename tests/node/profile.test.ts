import { describe, expect, it } from 'vitest';
import { formatProfile, pairDurations, summarizeProfile } from '../../src/executor/profile.js';

describe('step profile summary', () => {
  it('turns timestamp pairs into milliseconds, a pair out of order into 0', () => {
    const stamps = BigUint64Array.of(1_000n, 3_501_000n, 10n, 5n, 7_000_000n, 7_250_000n);
    expect(pairDurations(stamps, 3)).toEqual([3.5, 0, 0.25]);
  });

  it('takes medians per dispatch and groups by op and kernel, largest first', () => {
    const list = [
      { op: 'matmul', kernel: 'matmul', grid: [4, 1, 1] as const },
      { op: 'conv2d', kernel: 'im2col', grid: [9, 1, 1] as const },
      { op: 'matmul', kernel: 'matmul', grid: [2, 1, 1] as const },
    ];
    const p = summarizeProfile(list, [5, 1, 3], [[1, 10, 2], [3, 20, 2], [2, 30, 100]]);
    expect(p.stepMs).toBe(3);
    expect(p.repeats).toBe(3);
    expect(p.dispatches.map((d) => d.ms)).toEqual([2, 20, 2]);
    expect(p.dispatchSumMs).toBe(24);
    expect(p.byKernel).toEqual([
      { op: 'conv2d', kernel: 'im2col', count: 1, ms: 20, share: 20 / 24 },
      { op: 'matmul', kernel: 'matmul', count: 2, ms: 4, share: 4 / 24 },
    ]);
    expect(formatProfile(p, 1)).toBe([
      'GPU time per step 3.00 ms (the whole step as replayed, median of 3)',
      'Sum of 3 dispatches timed one per pass 24.00 ms (isolated, with per-pass overhead: not a part of the step time; the shares below are of this sum)',
      `  ${'conv2d · im2col'.padEnd(40)} ×1      20.00 ms   83.3%`,
      '  … 1 more',
    ].join('\n'));
  });
});
