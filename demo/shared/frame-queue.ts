// Redraws spread over animation frames, so several heavy views (charts, gallery, filters, histograms) arriving together
// never make one long main-thread task: each frame runs queued draws, oldest first, until about FRAME_BUDGET_MS have
// passed (always at least one), and leaves the rest for the next frame. A draw queued again before it ran replaces the
// queued one and keeps its place in the line (only the latest data is drawn, and no view waits behind a busier one).

/** Main-thread milliseconds per frame spent on queued draws (a 60 Hz frame is 16.7 ms; the rest is for the browser). */
export const FRAME_BUDGET_MS = 8;

const queue = new Map<unknown, { draw: () => void; label: string }>();
let frame = 0;
/** Longest run of each draw (ms) by label, for the bench and the console. */
const longest: Record<string, number> = {};

/**
 * Runs `draw` in a coming animation frame; `key` (a view, a chart) coalesces repeated draws of the same thing;
 * `label` names it in drawTimes().
 */
export function queueDraw(key: unknown, draw: () => void, label = String(key)): void {
  queue.set(key, { draw, label });
  if (!frame) frame = requestAnimationFrame(runFrame);
}

/** The longest time each kind of draw took so far (ms); `reset` starts counting anew. */
export function drawTimes(reset = false): Record<string, number> {
  const out = { ...longest };
  if (reset) for (const k of Object.keys(longest)) delete longest[k];
  return out;
}

/** Drops a queued draw (its target is gone or was drawn directly). */
export function cancelDraw(key: unknown): void {
  queue.delete(key);
}

function runFrame(): void {
  frame = 0;
  const start = performance.now();
  for (const [key, { draw, label }] of queue) {
    queue.delete(key);
    const t0 = performance.now();
    try {
      draw();
    } catch (e) {
      reportLater(e);
    }
    longest[label] = Math.max(longest[label] ?? 0, performance.now() - t0);
    if (performance.now() - start >= FRAME_BUDGET_MS) break;
  }
  if (queue.size && !frame) frame = requestAnimationFrame(runFrame);
}

/** A failing draw must not stop the others: its error surfaces on its own (window.onerror, the console). */
function reportLater(e: unknown): void {
  setTimeout(() => { throw e; });
}
