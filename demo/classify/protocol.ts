// Messages between the classification playground's page and its worker (which owns the GPU device).
import type { Points } from './datasets.js';
import type { Evaluation, NetworkSettings } from './settings.js';

export type ToWorker =
  | { type: 'configure'; generation: number; settings: NetworkSettings; classes: number; train: Points; test: Points; grid: Float32Array }
  | { type: 'advance'; steps: number };

/** After every configure and advance: the network over the grid. Frames of an older configure are dropped by the page. */
export type FromWorker =
  | { type: 'frame'; generation: number; step: number; evaluation: Evaluation }
  | { type: 'error'; message: string };
