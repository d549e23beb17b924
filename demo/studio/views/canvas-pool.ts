// Canvases whose 2D context was made while the page was idle. A context costs a few milliseconds at its first draw
// (more while the worker's emulated GPU holds the cores), so a view that appears once training has begun (the layer
// table: a histogram per layer) takes them from here instead of making them in the middle of training.
import { queueDraw } from '../../shared/frame-queue.js';

const pool: HTMLCanvasElement[] = [];
let queued = 0;

/** Makes canvases of w×h with their contexts until `n` are ready or queued, one per queued draw (sharing the frames' budget). */
export function warmCanvases(n: number, width: number, height: number): void {
  for (let i = pool.length + queued; i < n; i++) {
    queued++;
    queueDraw(`warm canvas ${i}`, () => {
      queued--;
      const c = document.createElement('canvas');
      c.width = width;
      c.height = height;
      c.getContext('2d')!.fillRect(0, 0, 1, 1);
      pool.push(c);
    }, 'warm canvas');
  }
}

/** A canvas of w×h: a warmed one when there is one of that size, else a new one. */
export function takeCanvas(width: number, height: number): HTMLCanvasElement {
  const i = pool.findIndex((c) => c.width === width && c.height === height);
  if (i >= 0) return pool.splice(i, 1)[0]!;
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}
