import { defineKernel, type Specialization } from '../src/kernel.js';
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
 * Register blocking of a 16×16-thread workgroup: each thread computes tm×tn outputs, the workgroup a
 * (16·tm)×(16·tn) tile, over K slices bk deep.
 */
export const MATMUL_TILES = {
  /** 64×64 tiles: four times as many workgroups, for problems too small to fill a GPU with 128×128. */
  small: { tm: 4, tn: 4, bk: 16 },
  /** 128×128 tiles: 64 FMAs per thread for every 4 vec4 shared-memory reads (16 per 2 with 4×4). */
  large: { tm: 8, tn: 8, bk: 8 },
} as const;
export type MatmulTile = keyof typeof MATMUL_TILES;

const WG = 16;
/** Batch dimensions the kernel indexes (after collapsing, see src/ops/matmul.ts). */
export const MAX_BATCH_DIMS = 8;
/**
 * 128×128 tiles are used from this many of them on: about two per SM of a large GPU (WebGPU does not
 * tell the SM count), below which 64×64 tiles keep more of it busy.
 */
const LARGE_TILE_MIN_WORKGROUPS = 256;

export function tileExtent(tile: MatmulTile): { bm: number; bn: number } {
  return { bm: WG * MATMUL_TILES[tile].tm, bn: WG * MATMUL_TILES[tile].tn };
}

export function matmulWorkgroups(tile: MatmulTile, batch: number, M: number, N: number): number {
  const { bm, bn } = tileExtent(tile);
  return batch * Math.ceil(M / bm) * Math.ceil(N / bn);
}

export function chooseTile(batch: number, M: number, N: number): MatmulTile {
  return matmulWorkgroups('large', batch, M, N) >= LARGE_TILE_MIN_WORKGROUPS ? 'large' : 'small';
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
}

export function matmulSpecialization(v: MatmulVariant): Specialization {
  const t = MATMUL_TILES[v.tile];
  return {
    TM: `${t.tm}u`, TN: `${t.tn}u`, BK: `${t.bk}u`,
    TRANS_A: String(v.transposeA), TRANS_B: String(v.transposeB),
    AUnit: v.vecA ? 'vec4f' : 'array<f32, 1>', A_W: v.vecA ? '4u' : '1u',
    BUnit: v.vecB ? 'vec4f' : 'array<f32, 1>', B_W: v.vecB ? '4u' : '1u',
    ACT: `${ACTIVATIONS[v.activation]}u`, HAS_BIAS: String(v.bias),
  };
}

/**
 * Uniform words of shaders/matmul.wgsl's Params. `dims`: batch dimensions, outermost first, as
 * [size, A stride, B stride] in elements (at most MAX_BATCH_DIMS).
 */
export function matmulParams(M: number, N: number, K: number, dims: readonly (readonly [number, number, number])[], workgroups: number, param: number): Uint32Array {
  const words = new Uint32Array(8 + 4 * MAX_BATCH_DIMS);
  words.set([M, N, K, dims.length, workgroups, f32bits(param)]);
  dims.forEach((d, i) => words.set(d, 8 + 4 * i));
  return words;
}
