// Shared types of the benchmark suite (bench/suite/*), used by the browser page and the Node runners.

/** GPU objects and commands a library issued, counted on its GPUDevice (same instrumentation for both libraries). */
export interface DeviceCounters {
  dispatches: number;
  submits: number;
  pipelinesCreated: number;
  bindGroupsCreated: number;
  buffersCreated: number;
  writeBuffers: number;
  /** Uncaptured WebGPU errors (validation, out of memory) the device reported. */
  errors: number;
}

/** One benchmarked workload for one library: `step()` issues `opsPerStep` ops and disposes what they created. */
export interface BenchCase {
  readonly opsPerStep: number;
  step(): void;
  /** Runs the workload once and reads the (first) result back, for the correctness check. */
  result?(): Promise<Float32Array>;
  /** GPU time of one step from timestamp queries (runs the workload a few more times). */
  profile?(): Promise<GpuProfile>;
  dispose(): void;
}

/** Groups of kernels kept in a case's GPU profile. */
export const PROFILE_TOP = 12;

/** GPU-side time of one step, from timestamp queries; no CPU time in it. */
export interface GpuProfile {
  /**
   * wgsl-nn: the step as replayed (a compiled step; eager layer cases are compiled for the profile),
   * begin of its first pass to end of its last. TF.js (tf.time): the sum of its kernels, each timed alone.
   */
  stepMs: number;
  /** Sum of the kernels, each in a pass of its own. */
  kernelSumMs: number;
  kernels: number;
  /** Largest groups by name (wgsl-nn: op · kernel; TF.js: program class), summed over the step. */
  top: { name: string; count: number; ms: number }[];
  /** wgsl-nn: the slowest single dispatches, with their place in the step and their workgroup grid. */
  slowest?: { index: number; name: string; grid: readonly number[]; ms: number }[];
}

/** Input data handed to both libraries (the same numbers, generated on the CPU). */
export interface MatmulSpec {
  m: number;
  k: number;
  n: number;
  a: Float32Array;
  b: Float32Array;
  /** wgsl-nn's tile configuration forced (the tile sweep); absent: the one the op chooses. */
  tile?: string;
}

export interface ElementwiseSpec {
  shape: [number, number];
  x: Float32Array;
  y: Float32Array;
}

/** One parameter of a training-step model, in wgsl-nn's (PyTorch's) layout and order. */
export interface ParamSpec {
  /** 'conv' [O, I, kH, kW]; 'fc' [out, in]; 'vec' [n] (bias, BN γ/β). */
  kind: 'conv' | 'fc' | 'vec';
  /** PyTorch name suffix this parameter must have in wgsl-nn's model ('weight' / 'bias'). */
  name: 'weight' | 'bias';
  shape: number[];
  /** fc layers fed by a flattened conv map: its [C, H, W] (NCHW flatten order), which TF.js flattens as [H, W, C]. */
  flattenFrom?: [number, number, number];
  data: Float32Array;
}

/** A whole training step: model, batch and (twice) the input batch, the same numbers for both libraries. */
export interface TrainSpec {
  model: 'mlp' | 'lenet5' | 'vgg';
  batch: number;
  /** One sample, CHW. */
  sampleShape: [number, number, number];
  classes: number;
  lr: number;
  momentum: number;
  params: ParamSpec[];
  /** Two batches, NCHW, alternated step by step. */
  xs: Float32Array[];
  ys: Int32Array[];
}

/** conv2d forward (with bias) + backward (dx, dw, db), stride 1, NCHW / OIHW data. */
export interface ConvSpec {
  n: number;
  cin: number;
  cout: number;
  h: number;
  w: number;
  k: number;
  pad: number;
  outH: number;
  outW: number;
  x: Float32Array;
  weight: Float32Array;
  bias: Float32Array;
  /** Gradient of the output, NCHW. */
  dy: Float32Array;
}

/** Training-mode batch norm forward + backward on NCHW data. */
export interface BatchNormSpec {
  n: number;
  c: number;
  h: number;
  w: number;
  eps: number;
  momentum: number;
  x: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  dy: Float32Array;
}

export interface DenseSpec {
  m: number;
  k: number;
  n: number;
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array;
}

/** The ops of the "chain of 10" case: binary ops take (t, y), unary ops take t. */
export const CHAIN_OPS = ['add', 'relu', 'mul', 'sub', 'add', 'relu', 'mul', 'sub', 'add', 'relu'] as const;
export type ChainOp = (typeof CHAIN_OPS)[number];

/** A library under test. Methods returning `string` instead of a case mean "not supported: <reason>". */
export interface BenchLib {
  readonly id: 'wgsl-nn' | 'tfjs-webgpu';
  /** Adapter / backend description for the JSON. */
  info(): Record<string, unknown>;
  matmul(spec: MatmulSpec): BenchCase | string;
  add(spec: ElementwiseSpec): BenchCase | string;
  chain(spec: ElementwiseSpec): BenchCase | string;
  dense(spec: DenseSpec): BenchCase | string;
  /**
   * One SGD-momentum training step (forward, loss, backward, update) with the batch uploaded from typed
   * arrays; the case's `result()` gives the losses of 3 steps from the spec's weights on batch 0.
   */
  train(spec: TrainSpec): BenchCase | string;
  /** conv2d forward + backward; `result()` = [y | dx | dw | db] in NCHW / OIHW order. */
  conv(spec: ConvSpec): BenchCase | string;
  /** batch norm (training) forward + backward; `result()` = [y | dx | dγ | dβ], NCHW. */
  batchNorm(spec: BatchNormSpec): BenchCase | string;
  /** Between cases: give cached GPU memory back (wgsl-nn: sync + trim its buffer pool). */
  betweenCases?(): Promise<void>;
  /** Submits everything issued so far and resolves when the GPU has finished it. */
  sync(): Promise<void>;
  /** Cumulative device counters (see instrument.ts). */
  deviceCounters(): DeviceCounters;
  /** Library-specific cumulative counters (wgsl-nn: rt.stats), or null. */
  libCounters(): Record<string, number> | null;
  /** Live tensors / buffers, to catch leaks in the benchmark loop. */
  memory(): Record<string, number>;
  dispose(): void;
}

export interface Timing {
  /** Median over repeats of (wall time of one repeat) / (ops in it), in milliseconds. */
  msPerOp: number;
  minMsPerOp: number;
  maxMsPerOp: number;
  samplesMsPerOp: number[];
  stepsPerRepeat: number;
  opsPerStep: number;
  repeats: number;
  warmupSteps: number;
  /**
   * First timed step, ms, synced. On a null device it is the very first call (pipeline creation included);
   * elsewhere the result check ran the case once before it, so it is already compiled.
   */
  firstStepMs: number;
  /** Per op in the timed (steady-state) loop, on the device (both libraries, same instrumentation). */
  devicePerOp: Record<string, number>;
  /** Per op in the timed loop from the library's own counters (wgsl-nn: rt.stats), or null. */
  libPerOp: Record<string, number> | null;
  /** Device counters of the first (cold) step. */
  deviceFirstStep: Record<string, number>;
}

export interface LibResult {
  ok: boolean;
  /** Why it did not run (unsupported op, error). */
  skipped?: string;
  timing?: Timing;
  /** matmul only: 2·m·k·n / time. */
  gflops?: number;
  /** Max |ours − reference| / max(|reference|) on sampled entries, when checked. */
  checkError?: number;
  /** What checkError compares against ('float64 reference', 'the other library'). */
  checkedAgainst?: string;
  /** GPU time of one step from timestamp queries, when the device offers them (not on a null device). */
  gpuProfile?: GpuProfile;
}

export interface CaseResult {
  group: 'matmul' | 'tiles' | 'overhead' | 'train' | 'conv' | 'bn';
  /** Tile sweep: the configuration forced. */
  tile?: string;
  name: string;
  description: string;
  size?: number;
  flops?: number;
  /** Training cases: model and batch. */
  model?: string;
  batch?: number;
  results: Record<string, LibResult>;
  /** TF.js time per op / wgsl-nn time per op: > 1 means wgsl-nn is faster. */
  speedup?: number;
}

export interface SuiteOptions {
  /** Time each case's GPU work with timestamp queries after timing it (--no-profile turns it off). */
  profile: boolean;
  /** wgsl-nn matmul tile configurations to sweep over matmulSizes (empty: no sweep). */
  matmulTiles: string[];
  /** Square matmul sizes for the GFLOP/s group (empty: skip the group). */
  matmulSizes: number[];
  /** Run the per-op overhead group. */
  overhead: boolean;
  /** Training-step cases to run (ids, see trainConfigs in suite.ts); empty: none. */
  train: string[];
  /** conv2d forward+backward layers to run (ids); empty: none. */
  conv: string[];
  /** batch-norm forward+backward shapes to run (ids); empty: none. */
  bn: string[];
  repeats: number;
  /** Aim for this much wall time per repeat (the step count per repeat is calibrated). */
  targetMsPerRepeat: number;
  maxSteps: number;
  warmupSteps: number;
  /** Then keep warming up (in calibrated batches) until this much wall time has passed. */
  warmupMs: number;
  /** A device that executes nothing (dawn backend=null): no GFLOP/s, no result checks. */
  nullDevice: boolean;
  /** Compare sampled results with a float64 CPU reference (off on a null device, which computes nothing). */
  check: boolean;
  log: (line: string) => void;
}

export interface SuiteResult {
  cases: CaseResult[];
  options: Omit<SuiteOptions, 'log'>;
  libs: Record<string, Record<string, unknown>>;
  memoryAfter: Record<string, Record<string, number>>;
  wallSeconds: number;
}

export interface BenchReport {
  /** 'browser' | 'overhead' | 'gpu' */
  backend: string;
  timestamp: string;
  machine: Record<string, unknown>;
  argv: string[];
  notes: string[];
  suite: SuiteResult;
}
