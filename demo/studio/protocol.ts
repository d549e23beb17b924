// The typed messages between the Studio page (main thread: controls and drawing) and its worker (owns the WebGPU
// device, the model and the training loop). Every view's numbers come from GPU buffers the worker reads back
// asynchronously, only when the page asks for that view (as often as it redraws).
import type { SearchProgress, SearchRequest, SearchRow, SearchState } from './search-config.js';
import type { StudioSetup } from './setup.js';

/** Files the user picked or dropped that are not safetensors: IDX files (gzip or plain), roles found by the worker. */
export interface IdxFiles {
  files: { name: string; bytes: Uint8Array }[];
}

/** Views the page can ask the worker to refresh; each costs a readback, so the page asks only for what it shows. */
export type ViewName = 'layers' | 'filters' | 'gallery' | 'summary';

export type ToWorker =
  /** The first one also starts the device; `servedUrl`: where the dev server serves Fashion-MNIST. */
  | { type: 'setup'; setup: StudioSetup; servedUrl?: string }
  | { type: 'files'; files: IdxFiles }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset' }
  | { type: 'view'; view: ViewName }
  | { type: 'sanity' }
  | { type: 'download' }
  | { type: 'load'; bytes: Uint8Array; name: string }
  /** A hyperparameter search on the current data and setup (training pauses; it cannot resume until the search ends). */
  | { type: 'search'; request: SearchRequest }
  | { type: 'search-pause' }
  | { type: 'search-resume' }
  | { type: 'search-stop' };

export interface StepPoint { step: number; epoch: number; loss: number; lr: number; samplesPerSec: number; stepsPerSec: number }
export interface EpochPoint { epoch: number; step: number; trainLoss: number; trainAcc: number; valLoss: number; valAcc: number; confusion: number[][] }

/** One layer's output statistics at one training step (from the compiled step's in-step statistics). */
export interface LayerView {
  /** '1 Linear+Tanh': the layer's index and class, with an activation fused into it. */
  label: string;
  mean: number;
  std: number;
  /** Shares of values exactly 0, with |x| ≤ 0.01, and with |x| ≥ 0.99: dead, collapsing, saturated. */
  zeros: number;
  nearZero: number;
  saturated: number;
  histogram: { min: number; max: number; counts: number[] };
  /** The library's diagnosis (diagnoseLayer): 'collapsed', 'saturated', 'dead', 'non-finite'; empty when healthy. */
  problems: string[];
}
export interface ParamView { name: string; count: number; gradNorm: number; weightNorm: number; updateRatio: number }
/** The first layer's weights read back (in the worker). */
export interface FilterWeights { count: number; channels: number; height: number; width: number; data: Float32Array; source: string }
/** What the page gets: the filters drawn as one grid image (filter-grid.ts), transferred. */
export interface FilterView { count: number; channels: number; height: number; width: number; source: string; image: ImageBitmap }
export interface GalleryItem { index: number; label: number; top: { cls: number; p: number }[]; pixels: Uint8Array }
export interface SummaryView { text: string; layers: number; parameters: number; parameterBytes: number; dispatches: number | null; peakBytes: number | null; naiveBytes: number | null }

export interface SanityResult {
  name: string;
  pass: boolean;
  detail: string;
}

export type DataInfo = { source: string; train: number; val: number; test: number; classes: readonly string[] };

export type FromWorker =
  | { type: 'ready'; adapter: string }
  | { type: 'status'; state: 'building' | 'paused' | 'running' | 'done'; step: number; epoch: number; epochs: number; batchesPerEpoch: number; plans: number }
  | { type: 'data'; info: DataInfo }
  /** The run's step was re-planned for another batch size after `step` (same weights and optimizer state). */
  | { type: 'replanned'; step: number; from: number; to: number }
  | { type: 'points'; points: StepPoint[] }
  | { type: 'epoch'; point: EpochPoint }
  | { type: 'layers'; step: number; layers: LayerView[]; params: ParamView[] }
  | { type: 'filters'; step: number; filters: FilterView }
  | { type: 'gallery'; step: number; items: GalleryItem[]; accuracy: number; scored: number; source: string }
  | { type: 'summary'; summary: SummaryView }
  | { type: 'sanity'; results: SanityResult[]; running: boolean }
  /** Safetensors bytes as a Blob, made in the worker: the page stores or downloads it without copying megabytes. */
  | { type: 'weights'; blob: Blob; name: string }
  | { type: 'loaded'; name: string; message: string }
  | { type: 'search-state'; state: SearchState; trials: number; finished: number; message?: string }
  /** One validation of one trial, as it happens. */
  | { type: 'search-point'; progress: SearchProgress }
  /** The finished trials, sorted by the metric (diverged last), after each trial. */
  | { type: 'search-table'; rows: SearchRow[] }
  /** A problem the user must see: where it happened and what to do. */
  | { type: 'error'; where: 'webgpu' | 'data' | 'setup' | 'load' | 'training' | 'search'; message: string };
