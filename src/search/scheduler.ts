import type { Runtime } from '../device.js';
import { ArgumentError } from '../errors.js';
import type { InMemoryDataset } from '../data/loader.js';
import { BatchFeed } from './batch-feed.js';
import type { TrialConfig } from './space.js';
import { TrialRun, type RunSettings, type TrialPoint } from './trial-run.js';
import { stackCapacity, stackKey, TrialStack } from './trial-stack.js';

/** One run to train: a configuration on one fold. */
export interface RunJob {
  index: number;
  fold: number;
  config: TrialConfig;
  seed: number;
  train: InMemoryDataset;
  val: InMemoryDataset;
}

/** GPU memory of a search: what one trial holds, and how many trained at once. */
export interface SearchMemory {
  /**
   * Pool bytes one trial holds while it trains (parameters, gradients, optimizer state, the compiled step's
   * intermediates and input slots, metrics, its share of the uploaded batches): measured on the first trial
   * after its first step, then the largest average over the trials training together at the end of a segment.
   * A trial starts only while (trials + 1) × this fits `memoryBudget`.
   */
  perTrialBytes: number;
  /** Trials trained at once at first: min(requested, memoryBudget / perTrialBytes, runs). */
  concurrency: number;
  requested: number;
  memoryBudget: number;
  /** Largest pool bytes in use seen at the end of a round. */
  peakInUseBytes: number;
  /** Stacks formed (runs trained as one model, see TrialStack), and the runs they trained. */
  stacks: number;
  stackedRuns: number;
}

export interface SchedulerHooks {
  onRunEnd(job: RunJob, run: TrialRun, seconds: number): Promise<void>;
  /**
   * A job no longer worth training (another fold of its configuration diverged): a queued one is not started
   * (`onRunSkipped`), an active one is abandoned at its next validation (status 'abandoned', then `onRunEnd`).
   */
  abandon?: (job: RunJob) => boolean;
  onRunSkipped?: (job: RunJob) => Promise<void>;
  /** Awaited: a hook may hold the search between two segments (a pause); one that throws ends it, every run freed. */
  onProgress?: (p: { index: number; fold: number; point: TrialPoint }) => unknown;
}

/** One step of each run or stack, in one submit; batches evicted from the feeds are freed once that submit is made. */
export function round(rt: Runtime, steppers: readonly { runStep(): void }[], feeds: Iterable<BatchFeed> = []): void {
  try {
    rt.submitTogether('search round', () => {
      for (const s of steppers) s.runStep();
    });
  } finally {
    for (const f of feeds) f.endRound();
  }
}

/** One BatchFeed per (training set, batch size), in a data order seeded by `seed`. */
export class FeedSet {
  private readonly feeds = new Map<InMemoryDataset, Map<number, BatchFeed>>();
  constructor(private readonly rt: Runtime, private readonly seed: number) {}

  get(train: InMemoryDataset, batchSize: number): BatchFeed {
    let bySize = this.feeds.get(train);
    if (!bySize) this.feeds.set(train, (bySize = new Map()));
    let feed = bySize.get(batchSize);
    if (!feed) bySize.set(batchSize, (feed = new BatchFeed(this.rt, train, batchSize, this.seed)));
    return feed;
  }

  *[Symbol.iterator](): Iterator<BatchFeed> {
    for (const bySize of this.feeds.values()) yield* bySize.values();
  }

  dispose(): void {
    for (const f of this) f.dispose();
    this.feeds.clear();
  }
}

/** Rounds queued between waits for the GPU (bounds how far the CPU runs ahead, and the pending uploads). */
const ROUNDS_IN_FLIGHT = 16;

/**
 * Trains the jobs, up to `concurrency` at once: each round, every active run takes one step and all those
 * steps go to the GPU as one command buffer and one `queue.submit` (`rt.submitTogether`). Runs started
 * together that can share a stack (`stack`, default true: same stack key and training set) train as one
 * TrialStack, whose one replay steps them all. Runs validate at the end of their segments (an epoch, or
 * evalEvery steps), then free their slot when done, stopped early or diverged, and the next job takes it (a
 * stack is freed when its last run ends). Neither concurrency nor stacking changes what a run computes: the
 * same configuration gives the same weights, bit for bit, either way.
 */
export async function runTrials(rt: Runtime, jobs: RunJob[], settings: RunSettings, limits: { concurrency: number; memoryBudget: number; dataSeed: number; stack?: boolean }, hooks: SchedulerHooks): Promise<SearchMemory> {
  const { concurrency: requested, memoryBudget } = limits;
  const stacking = limits.stack ?? true;
  if (!(Number.isInteger(requested) && requested >= 1)) throw new ArgumentError('search', `concurrency must be a positive integer, got ${requested}`);
  if (!(memoryBudget > 0)) throw new ArgumentError('search', `memoryBudget must be positive, got ${memoryBudget}`);
  const memory: SearchMemory = { perTrialBytes: 0, concurrency: Math.min(requested, jobs.length), requested, memoryBudget, peakInUseBytes: 0, stacks: 0, stackedRuns: 0 };
  const queue = [...jobs];
  const active: { job: RunJob; run: TrialRun; start: number }[] = [];
  const stacks = new Set<TrialStack>();
  const feeds = new FeedSet(rt, limits.dataSeed);
  const start = (job: RunJob) => {
    const a = { job, run: new TrialRun(rt, job.config, job.seed, job.train, job.val, settings, (b) => feeds.get(job.train, b)), start: performance.now() };
    active.push(a);
    return a.run;
  };
  /** The next queued job worth training (skipping those `abandon` rules out), preferring one on `train`; or undefined. */
  const next = async (train?: InMemoryDataset): Promise<RunJob | undefined> => {
    while (queue.length) {
      const at = train ? Math.max(0, queue.findIndex((j) => j.train === train)) : 0;
      const job = queue.splice(at, 1)[0]!;
      if (!hooks.abandon?.(job)) return job;
      await hooks.onRunSkipped?.(job);
    }
    return undefined;
  };
  /** Runs started together that can share a stack (same key and training set) train as one. */
  const stackUp = (fresh: TrialRun[]) => {
    if (!stacking) return;
    const groups = new Map<string, TrialRun[]>();
    const sets = new Map<InMemoryDataset, number>();
    for (const run of fresh) {
      const key = stackKey(run);
      if (key === null) continue;
      if (!sets.has(run.train)) sets.set(run.train, sets.size);
      const k = `${sets.get(run.train)}|${key}`;
      groups.set(k, [...(groups.get(k) ?? []), run]);
    }
    for (const group of groups.values()) {
      // As many stacks as the device's binding limits require (see maxStackTrials).
      const size = Math.ceil(group.length / Math.ceil(group.length / stackCapacity(group[0]!)));
      for (let i = 0; i + 1 < group.length; i += size) {
        const runs = group.slice(i, i + size);
        stacks.add(new TrialStack(rt, runs, runs[0]!.feed));
        memory.stacks++;
        memory.stackedRuns += runs.length;
      }
    }
  };

  const baseline = rt.memory().inUseBytes;
  try {
    // The first trial alone, one step, to measure what a trial holds; then the bound.
    const first = await next();
    if (first) {
      const run = start(first);
      round(rt, [run], feeds);
      await rt.sync();
      memory.perTrialBytes = Math.max(1, rt.memory().inUseBytes - baseline);
      const fits = Math.floor(memoryBudget / memory.perTrialBytes);
      if (fits < 1) throw new ArgumentError('search', `one trial needs ${memory.perTrialBytes} bytes of GPU memory, over the memoryBudget of ${memoryBudget}`);
      memory.concurrency = Math.max(1, Math.min(requested, fits, jobs.length));
      if (stacking && memory.concurrency > 1 && stackKey(run) !== null) {
        // It may share a stack with the next runs, which start at step 0: it starts again with them.
        active.pop();
        run.dispose();
        queue.unshift(first);
      }
    }
    while (active.length || queue.length) {
      // Trials of different sizes (a width in the space): the bound follows the largest average seen.
      const fresh: TrialRun[] = [];
      while (queue.length && active.length < memory.concurrency && (active.length + 1) * memory.perTrialBytes <= memoryBudget) {
        const job = await next(fresh[0]?.train);
        if (job) fresh.push(start(job));
      }
      if (!active.length) {
        const job = await next();
        if (!job) break;
        fresh.push(start(job));
      }
      stackUp(fresh);
      // One segment: every active run steps up to its next validation; rounds interleave the runs (a stack
      // steps all its members at once).
      const rounds = Math.max(...active.map((a) => a.run.segmentSteps));
      let pending: Promise<void> | null = null;
      for (let r = 0; r < rounds; r++) {
        const steppers = new Set(active.flatMap((a) => (a.run.segmentSteps > 0 ? [a.run.stack ?? a.run] : [])));
        round(rt, [...steppers], feeds);
        if ((r + 1) % ROUNDS_IN_FLIGHT === 0) {
          if (pending) await pending;
          pending = rt.device.queue.onSubmittedWorkDone();
        }
      }
      if (pending) await pending;
      const inUse = rt.memory().inUseBytes;
      memory.peakInUseBytes = Math.max(memory.peakInUseBytes, inUse);
      memory.perTrialBytes = Math.max(memory.perTrialBytes, Math.round((inUse - baseline) / active.length));
      for (const a of [...active]) {
        // Abandoned: its validation would be wasted, and its weights are never reported.
        const status = hooks.abandon?.(a.job) ? (a.run.status = 'abandoned') : await a.run.validate();
        const point = status === 'abandoned' ? undefined : a.run.history[a.run.history.length - 1];
        if (point) await hooks.onProgress?.({ index: a.job.index, fold: a.job.fold, point });
        if (status === 'running') continue;
        active.splice(active.indexOf(a), 1);
        a.run.stack?.stop(a.run);
        try {
          await hooks.onRunEnd(a.job, a.run, (performance.now() - a.start) / 1000);
        } finally {
          a.run.dispose();
        }
      }
      for (const stack of [...stacks]) {
        stack.endSegment();
        if (!stack.finished) continue;
        stacks.delete(stack);
        stack.dispose();
      }
    }
  } finally {
    for (const a of active) a.run.dispose();
    for (const stack of stacks) stack.dispose();
    feeds.dispose();
  }
  return memory;
}
