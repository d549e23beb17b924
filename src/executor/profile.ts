/** GPU time of one dispatch of a compiled step, measured in a pass of its own. */
export interface DispatchTiming {
  /** The op that issued it (e.g. 'conv2d', 'conv2dBackward', 'adam') and its kernel ('matmul', 'im2col'…). */
  op: string;
  kernel: string;
  grid: readonly [number, number, number];
  /** Median over the profile's repeats, milliseconds. */
  ms: number;
}

/** Dispatches of the same op and kernel, added up. */
export interface KernelTiming {
  op: string;
  kernel: string;
  count: number;
  ms: number;
  /** Share of `dispatchSumMs`. */
  share: number;
}

export interface StepProfile {
  /**
   * GPU time of the step replayed as usual (first pass's begin to last pass's end timestamp), median over
   * repeats, milliseconds. Excludes the CPU side and the queue.writeBuffer uploads before the submit.
   */
  stepMs: number;
  /**
   * Sum of the per-dispatch times, each dispatch alone in a pass of its own (no overlap between neighbours,
   * one pass's overhead each): a different measurement from `stepMs`, which it can exceed.
   */
  dispatchSumMs: number;
  repeats: number;
  dispatches: DispatchTiming[];
  /** By op and kernel, largest first. */
  byKernel: KernelTiming[];
}

/** The median (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Milliseconds between timestamp pairs (begin at 2i, end at 2i+1); a pair out of order counts 0. */
export function pairDurations(stamps: BigUint64Array, pairs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const d = stamps[2 * i + 1]! - stamps[2 * i]!;
    out.push(d > 0n ? Number(d) / 1e6 : 0);
  }
  return out;
}

/** From the raw runs: `stepRuns` are pass durations of normal replays, `dispatchRuns` per-dispatch durations. */
export function summarizeProfile(
  list: readonly { op: string; kernel: string; grid: readonly [number, number, number] }[],
  stepRuns: readonly number[], dispatchRuns: readonly (readonly number[])[],
): StepProfile {
  const dispatches = list.map((d, i) => ({ ...d, ms: median(dispatchRuns.map((r) => r[i]!)) }));
  const dispatchSumMs = dispatches.reduce((s, d) => s + d.ms, 0);
  const groups = new Map<string, KernelTiming>();
  for (const d of dispatches) {
    const key = `${d.op}\u0000${d.kernel}`;
    const g = groups.get(key) ?? { op: d.op, kernel: d.kernel, count: 0, ms: 0, share: 0 };
    g.count++;
    g.ms += d.ms;
    groups.set(key, g);
  }
  const byKernel = [...groups.values()].sort((a, b) => b.ms - a.ms);
  for (const g of byKernel) g.share = dispatchSumMs > 0 ? g.ms / dispatchSumMs : 0;
  return { stepMs: median(stepRuns), dispatchSumMs, repeats: dispatchRuns.length, dispatches, byKernel };
}

/** A plain-text table of the largest `top` op/kernel groups. */
export function formatProfile(p: StepProfile, top = 12): string {
  const ms = (x: number) => (x >= 1 ? `${x.toFixed(2)} ms` : `${(x * 1000).toFixed(1)} µs`);
  // Two different measurements, each labelled: the step as it runs, and the sum of dispatches each timed in
  // a pass of its own (serialized, each with a pass's overhead, so it can exceed the step's time).
  const lines = [
    `GPU time per step ${ms(p.stepMs)} (the whole step as replayed, median of ${p.repeats})`,
    `Sum of ${p.dispatches.length} dispatches timed one per pass ${ms(p.dispatchSumMs)} (isolated, with per-pass overhead: not a part of the step time; the shares below are of this sum)`,
  ];
  for (const g of p.byKernel.slice(0, top)) {
    lines.push(`  ${`${g.op} · ${g.kernel}`.padEnd(40)} ×${String(g.count).padEnd(4)} ${ms(g.ms).padStart(10)}  ${(100 * g.share).toFixed(1).padStart(5)}%`);
  }
  if (p.byKernel.length > top) lines.push(`  … ${p.byKernel.length - top} more`);
  return lines.join('\n');
}
