import { cachedSpec, defineKernel, type Specialization } from '../src/kernel.js';
import { f32bits } from '../src/params.js';
import source from '../shaders/matmul.wgsl?raw';

export const matmulKernel = defineKernel({
  name: 'matmul',
  source,
  bindings: { a: 'read', b: 'read', bias: 'read', out: 'read_write', p: 'uniform' },
});

/** Epilogue activations and their codes in shaders/matmul.wgsl (`const ACT`). */
export const ACTIVATIONS = { none: 0, relu: 1, sigmoid: 2, tanh: 3, leakyRelu: 4, elu: 5, gelu: 6 } as const;
export type Activation = keyof typeof ACTIVATIONS;

/**
 * Tile configurations: a workgroup of wgM×wgN = 256 threads, each computing tm×tn outputs, computes a
 * (wgM·tm)×(wgN·tn) tile over K slices bk deep. Shared memory holds bk·(wgM·tm + 4 + wgN·tn + 4) floats,
 * within WebGPU's default 16 KiB except 'largeDeep'.
 */
export const MATMUL_TILES = {
  /** 64×64 tiles: four times as many workgroups, for problems too small to fill a GPU with 128×128. */
  small: { wgM: 16, wgN: 16, tm: 4, tn: 4, bk: 16 },
  /** 128×128 tiles: 64 FMAs per thread for every 4 vec4 shared-memory reads (16 per 2 with 4×4). */
  large: { wgM: 16, wgN: 16, tm: 8, tn: 8, bk: 8 },
  /** 16×256 tiles for products with few rows (a convolution's C_out × HW). bk 16 would overflow shared memory. */
  wide: { wgM: 4, wgN: 64, tm: 4, tn: 4, bk: 8 },
  /** 256×16 tiles for products with few columns (a classifier's batch × classes). */
  tall: { wgM: 64, wgN: 4, tm: 4, tn: 4, bk: 8 },
  /**
   * 128×128 tiles with K slices 16 deep: half the barriers per FMA of 'large', in 16.5 KiB of workgroup
   * memory, just over WebGPU's default 16 KiB (adapters commonly allow 32 KiB, and init asks for the
   * adapter's maximum). Not chosen by default: the benchmark's tile sweep (`--tiles`) measures it on a GPU.
   */
  largeDeep: { wgM: 16, wgN: 16, tm: 8, tn: 8, bk: 16 },
} as const;
export type MatmulTile = keyof typeof MATMUL_TILES;

/** Workgroup memory of a tile configuration: A's and B's slices, [bk][rows + 4] f32 each. */
export function tileWorkgroupBytes(tile: MatmulTile): number {
  const t = MATMUL_TILES[tile];
  return t.bk * (t.wgM * t.tm + 4 + t.wgN * t.tn + 4) * 4;
}

/** The tiles of 4096 outputs (4×4 per thread) that `chooseTile` picks from by padding; the first wins ties. */
const SHAPED_TILES = ['small', 'wide', 'tall'] as const satisfies readonly MatmulTile[];
/** Batch dimensions the kernel indexes (after collapsing, see src/ops/matmul.ts). */
export const MAX_BATCH_DIMS = 8;
/**
 * 128×128 tiles are used from this many of them on: about two per SM of a large GPU (WebGPU does not
 * tell the SM count), below which 64×64 tiles keep more of it busy.
 */
const LARGE_TILE_MIN_WORKGROUPS = 256;

export function tileExtent(tile: MatmulTile): { bm: number; bn: number } {
  const t = MATMUL_TILES[tile];
  return { bm: t.wgM * t.tm, bn: t.wgN * t.tn };
}

export function matmulWorkgroups(tile: MatmulTile, batch: number, M: number, N: number): number {
  const { bm, bn } = tileExtent(tile);
  return batch * Math.ceil(M / bm) * Math.ceil(N / bn);
}

/**
 * The tile for an M×N product: of the 4096-output tiles, the one padding M×N to the least area, i.e.
 * wasting the fewest FMAs and shared-memory reads (a 6-row product fills 6/16 of a 16×256 tile, 6/64 of a
 * 64×64 one). Ties go to the squarest, 'small', which loads the fewest operand elements per output; it gives
 * way to 'large' once there are enough 128×128 tiles to fill a large GPU, unless 128×128 tiles would pad
 * noticeably more (over 1/8 more area: a 64-channel convolution's 64 × HW products at a large batch would
 * waste half of each tile; 4000² pads 3 % more and still gains from the larger tile's reuse).
 */
export function chooseTile(batch: number, M: number, N: number): MatmulTile {
  // A plain loop: this runs for every matmul.
  let best: MatmulTile = SHAPED_TILES[0], bestArea = Infinity;
  for (const tile of SHAPED_TILES) {
    const t = MATMUL_TILES[tile];
    const bm = t.wgM * t.tm, bn = t.wgN * t.tn;
    const area = Math.ceil(M / bm) * bm * Math.ceil(N / bn) * bn;
    if (area < bestArea) {
      best = tile;
      bestArea = area;
    }
  }
  if (best === 'small' && matmulWorkgroups('large', batch, M, N) >= LARGE_TILE_MIN_WORKGROUPS) {
    const { bm, bn } = tileExtent('large');
    if (Math.ceil(M / bm) * bm * Math.ceil(N / bn) * bn <= bestArea * 1.125) return 'large';
  }
  return best;
}

/** One compiled variant of shaders/matmul.wgsl. */
export interface MatmulVariant {
  tile: MatmulTile;
  transposeA: boolean;
  transposeB: boolean;
  /** vec4 global reads of A (B): its contiguous dimension is a multiple of 4. */
  vecA: boolean;
  vecB: boolean;
  activation: Activation;
  bias: boolean;
  /** Multiply by (gate > 0), the gate bound in bias's place. */
  gate: boolean;
}

const TILE_NAMES = Object.keys(MATMUL_TILES) as MatmulTile[];
const specs = new Map<number, Specialization>();

export function matmulSpecialization(v: MatmulVariant): Specialization {
  let index = TILE_NAMES.indexOf(v.tile) * 8 + ACTIVATIONS[v.activation];
  for (const flag of [v.transposeA, v.transposeB, v.vecA, v.vecB, v.bias, v.gate]) index = index * 2 + (flag ? 1 : 0);
  return cachedSpec(specs, index, buildSpecialization, v);
}

function buildSpecialization(v: MatmulVariant): Specialization {
  const t = MATMUL_TILES[v.tile];
  return {
    WG_M: `${t.wgM}u`, WG_N: `${t.wgN}u`, TM: `${t.tm}u`, TN: `${t.tn}u`, BK: `${t.bk}u`,
    TRANS_A: String(v.transposeA), TRANS_B: String(v.transposeB),
    AUnit: v.vecA ? 'vec4f' : 'array<f32, 1>', A_W: v.vecA ? '4u' : '1u',
    BUnit: v.vecB ? 'vec4f' : 'array<f32, 1>', B_W: v.vecB ? '4u' : '1u',
    ACT: `${ACTIVATIONS[v.activation]}u`, HAS_BIAS: String(v.bias), GATE: String(v.gate),
  };
}

const HEADER_WORDS = 12;
export const MATMUL_PARAM_WORDS = HEADER_WORDS + 4 * MAX_BATCH_DIMS;

/** How the batch maps onto outputs: entries [c·zsum, c·zsum + zsum) of the leading dimension (zlen long, each followed by zrest entries) sum into output c. */
export interface BatchSum {
  zsum: number;
  zlen: number;
  zrest: number;
}

/**
 * Uniform words of shaders/matmul.wgsl's Params. `dims`: batch dimensions, outermost first, as
 * [size, A stride, B stride] in elements (at most MAX_BATCH_DIMS). `into`: an array of MATMUL_PARAM_WORDS to
 * overwrite instead of allocating one (a 176-byte typed array lives off the JS heap: costly per dispatch).
 */
export function matmulParams(
  M: number, N: number, K: number, dims: readonly (readonly [number, number, number])[], workgroups: number, param: number,
  sum: BatchSum, into?: Uint32Array,
): Uint32Array {
  const words = into ? into.fill(0) : new Uint32Array(MATMUL_PARAM_WORDS);
  words[0] = M;
  words[1] = N;
  words[2] = K;
  words[3] = dims.length;
  words[4] = workgroups;
  words[5] = f32bits(param);
  words[6] = sum.zsum;
  words[7] = sum.zlen;
  words[8] = sum.zrest;
  for (let i = 0; i < dims.length; i++) words.set(dims[i]!, HEADER_WORDS + 4 * i);
  return words;
}
