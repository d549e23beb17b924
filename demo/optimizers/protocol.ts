// Messages between the optimizer playground's page and its worker (which owns the GPU device).
import type { OptimConfig } from '../../src/index.js';

export type ToWorker =
  | { type: 'configure'; generation: number; expression: string; start: [number, number]; racers: { name: string; config: OptimConfig }[]; noise: number; seed: number }
  | { type: 'advance'; steps: number };

/** `generation` counts configures: positions of an older race that arrive after a restart are dropped. */
export type FromWorker =
  | { type: 'ready' }
  /** rows[t] = every racer's (x, y) before step t: x0, y0, x1, y1, … */
  | { type: 'positions'; generation: number; first: number; rows: Float32Array[] }
  | { type: 'error'; message: string };
