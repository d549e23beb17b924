// fit's progress pacing: which batches' losses to read back, and how far the CPU may queue steps ahead.

/**
 * When `fit` reads a batch's loss for progress, and how far the CPU may queue steps past the batch being
 * read. The window is the number of steps that fill `progressMs` at the measured pace (1 until measured,
 * at most `every`). One read at a time: at the first batch, the last one, and then whichever comes first of
 * a window of batches or `progressMs`; the CPU waits for the read in flight once it is a window past it
 * (so at most two windows of steps are queued).
 * Deep enough to keep a fast GPU busy, shallow enough that a slow one (seconds per step) reports each batch
 * as it finishes rather than after a whole epoch queued at once. Reads are also the only fences: with none
 * in flight the CPU never waits.
 */
export class ProgressPace {
  private inflight: { batch: number; done: Promise<void> } | null = null;
  private lastRead = 0;
  private lastReadAt: number;
  private window = 1;
  /** The last finished read: batch and time, to measure the time per batch. */
  private finished: { batch: number; at: number };

  constructor(start: number, private readonly every: number, private readonly progressMs: number) {
    this.lastReadAt = start;
    this.finished = { batch: 0, at: start };
  }

  /**
   * Waits for the read in flight when the CPU has queued a window of steps past it, and at the epoch's last
   * batch (whose read always happens).
   */
  beforeNext(batch: number, batches: number): Promise<void> | undefined {
    // undefined rather than a resolved promise: fit awaits only when there is something to wait for (no
    // microtask per step on a fast GPU).
    if (this.inflight && (batch - this.inflight.batch >= this.window || batch === batches)) return this.inflight.done;
    return undefined;
  }

  due(batch: number, batches: number): boolean {
    if (this.inflight) return false;
    return batch === 1 || batch === batches || batch - this.lastRead >= this.window || performance.now() - this.lastReadAt >= this.progressMs;
  }

  reading(batch: number, read: Promise<void>): void {
    this.lastRead = batch;
    this.lastReadAt = performance.now();
    const entry = { batch, done: read.then(() => {
      const at = performance.now();
      const msPerBatch = (at - this.finished.at) / Math.max(1, batch - this.finished.batch);
      this.finished = { batch, at };
      this.window = Math.min(this.every, Math.max(1, Math.floor(this.progressMs / Math.max(msPerBatch, 1e-3))));
      if (this.inflight === entry) this.inflight = null;
    }) };
    // Awaited by beforeNext/drain; if the caller fails first (a lost device), its rejection must not go unhandled.
    entry.done.catch(() => {});
    this.inflight = entry;
  }

  /** Waits for the last read (the epoch's metrics follow). */
  async drain(): Promise<void> {
    if (this.inflight) await this.inflight.done;
  }
}
