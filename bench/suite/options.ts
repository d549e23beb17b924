// Command-line flags shared by the three back ends → SuiteOptions.
import { MATMUL_TILES } from '../../kernels/matmul.js';
import type { SuiteOptions } from './types.js';

export const ALL_SIZES = [256, 512, 1024, 2048, 4096];
/** `--tiles all`: every wgsl-nn matmul tile configuration. */
export const SWEEP_TILES = Object.keys(MATMUL_TILES);

export interface Flags {
  quick: boolean;
  full: boolean;
  /** --sizes 256,1024 */
  sizes?: number[];
  /** --no-overhead / --no-matmul */
  overhead: boolean;
  matmul: boolean;
  /** --no-train / --no-conv / --no-bn */
  train: boolean;
  conv: boolean;
  bn: boolean;
  repeats?: number;
  /** --no-profile: skip the timestamp-query GPU profile of each case. */
  profile: boolean;
  /** --tiles all|small,large…: sweep wgsl-nn's matmul tile configurations over the matmul sizes. */
  tiles?: string[];
  /** --train ids / --conv ids / --bn ids: run exactly these cases of the group. */
  only: { train?: string[]; conv?: string[]; bn?: string[] };
}

/** Training-step cases (model-batch); a CPU adapter runs only CPU_TRAIN unless --full. */
export const ALL_TRAIN = ['mlp-b128', 'lenet5-b1', 'lenet5-b8', 'lenet5-b32', 'lenet5-b64', 'vgg-b128'];
export const CPU_TRAIN = ['mlp-b128', 'lenet5-b1', 'lenet5-b8', 'lenet5-b64'];
/**
 * dawn's null device (overhead back end) caps a device's memory at 512 MiB: small VGG's step at batch 128
 * does not fit there (TF.js runs out at batch 32 too), so it runs at batch 16 (the CPU work per step barely depends on the batch).
 */
export const NULL_TRAIN = ['mlp-b128', 'lenet5-b1', 'lenet5-b8', 'lenet5-b32', 'lenet5-b64', 'vgg-b16'];
/** conv2d forward+backward layers (LeNet-5's two, small VGG's four shapes); a CPU adapter runs LeNet's unless --full. */
export const ALL_CONV = ['lenet-conv1', 'lenet-conv2', 'vgg-conv1', 'vgg-conv2', 'vgg-conv3', 'vgg-conv4'];
export const CPU_CONV = ['lenet-conv1', 'lenet-conv2'];
/**
 * --quick on a CPU adapter: SwiftShader on this 2-core VM under load managed 0.002–0.02 GFLOP/s on these
 * layers (a LeNet-5 b64 step or one LeNet conv layer's forward+backward at b64 took 5–25 s), so a quick run keeps
 * one case of each kind, still checked: LeNet-5 b1 and b8, LeNet conv2, the smaller batch-norm shape.
 */
export const CPU_QUICK_TRAIN = ['lenet5-b1', 'lenet5-b8'];
export const CPU_QUICK_CONV = ['lenet-conv2'];
export const CPU_QUICK_BN = ['bn-128x256x8x8'];
/** Batch-norm forward+backward shapes (both everywhere). */
export const ALL_BN = ['bn-64x64x32x32', 'bn-128x256x8x8'];

export function parseFlags(argv: readonly string[]): Flags {
  const f: Flags = { quick: false, full: false, overhead: true, matmul: true, train: true, conv: true, bn: true, profile: true, only: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') f.quick = true;
    else if (a === '--full') f.full = true;
    else if (a === '--no-overhead') f.overhead = false;
    else if (a === '--no-matmul') f.matmul = false;
    else if (a === '--no-train') f.train = false;
    else if (a === '--no-conv') f.conv = false;
    else if (a === '--no-bn') f.bn = false;
    else if (a === '--no-profile') f.profile = false;
    else if (a === '--tiles') f.tiles = argv[++i]!.split(',').filter(Boolean);
    else if (a === '--sizes') f.sizes = argv[++i]!.split(',').map(Number);
    else if (a.startsWith('--sizes=')) f.sizes = a.slice(8).split(',').map(Number);
    else if (a === '--repeats') f.repeats = Number(argv[++i]);
    else if (a === '--train' || a === '--conv' || a === '--bn') f.only[a.slice(2) as 'train' | 'conv' | 'bn'] = argv[++i]!.split(',').filter(Boolean);
  }
  return f;
}

/** A CPU adapter (SwiftShader, ~0.2–1 GFLOP/s): big matmuls would take minutes each. */
export function isCpuAdapter(info: { vendor?: string; architecture?: string; description?: string }): boolean {
  return /swiftshader|llvmpipe|lavapipe|cpu/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

/**
 * Defaults: a real GPU runs every size; a CPU adapter runs 256 and 512 (only 256 with --quick) unless
 * --full. --quick also lowers repeats and time per repeat. --sizes overrides the list.
 */
export function suiteOptions(flags: Flags, env: { cpuAdapter: boolean; nullDevice: boolean }, log: (s: string) => void): SuiteOptions {
  let sizes = flags.sizes ?? (flags.full || !env.cpuAdapter ? ALL_SIZES : flags.quick ? [256] : [256, 512]);
  if (!flags.matmul || env.nullDevice) sizes = [];
  // A null device executes nothing, so every configuration is cheap there; a CPU adapter keeps the small ones.
  const small = env.cpuAdapter && !env.nullDevice && !flags.full;
  return {
    // A null device executes nothing: there is no GPU time to measure.
    profile: flags.profile && !env.nullDevice,
    matmulSizes: sizes,
    matmulTiles: env.nullDevice || !flags.tiles ? [] : flags.tiles.includes('all') ? [...SWEEP_TILES] : flags.tiles,
    overhead: flags.overhead,
    train: !flags.train ? [] : flags.only.train ?? (small ? (flags.quick ? CPU_QUICK_TRAIN : CPU_TRAIN) : env.nullDevice ? NULL_TRAIN : ALL_TRAIN),
    conv: !flags.conv ? [] : flags.only.conv ?? (small ? (flags.quick ? CPU_QUICK_CONV : CPU_CONV) : ALL_CONV),
    bn: !flags.bn ? [] : flags.only.bn ?? (small && flags.quick ? CPU_QUICK_BN : ALL_BN),
    repeats: flags.repeats ?? (flags.quick ? 3 : env.nullDevice ? 7 : 5),
    targetMsPerRepeat: flags.quick ? 100 : env.nullDevice ? 500 : 300,
    maxSteps: env.nullDevice ? 20000 : 2000,
    warmupSteps: env.nullDevice ? 50 : 2,
    warmupMs: env.nullDevice ? 1500 : flags.quick ? 100 : 300,
    nullDevice: env.nullDevice,
    check: !env.nullDevice,
    log,
  };
}
