import { cachedSpec, defineKernel, type Specialization } from '../src/kernel.js';
import { f32bits } from '../src/params.js';
import geometrySource from '../shaders/augment-geometry.wgsl?raw';
import colorSource from '../shaders/augment-color.wgsl?raw';

export const augmentGeometryKernel = defineKernel({
  name: 'augment-geometry', source: geometrySource,
  bindings: { x: 'read', out: 'read_write', p: 'uniform', rng: 'read', table: 'read' },
});

export const augmentColorKernel = defineKernel({
  name: 'augment-color', source: colorSource,
  bindings: { x: 'read', out: 'read_write', p: 'uniform', rng: 'read' },
});

export const AUGMENT_WORKGROUP = 256;

/** shaders/augment-geometry.wgsl's MODE values. */
export const GEOMETRY_MODE = { crop: 0, resizedCrop: 1, hflip: 2, view: 3 } as const;
export const COLOR_MODE = { brightness: 0, contrast: 1 } as const;

const geometrySpecs = new Map<number, Specialization>();
const colorSpecs = new Map<number, Specialization>();

/** One frozen specialization per mode (the runtime finds the pipeline by identity). */
export function geometrySpecialization(mode: number): Specialization {
  return cachedSpec(geometrySpecs, mode, () => ({ MODE: `${mode}u` }));
}

export function colorSpecialization(mode: number, clamp: boolean): Specialization {
  return cachedSpec(colorSpecs, mode * 2 + (clamp ? 1 : 0), () => ({ MODE: `${mode}u`, CLAMP: String(clamp) }));
}

export interface GeometryParams {
  n: number; c: number; h: number; w: number; outH: number; outW: number; pad?: number; stage?: number;
  threshold?: number; fixedI?: number; fixedJ?: number; fixedFlip?: boolean; outOffset?: number; tableLen?: number;
}

export function geometryParams(g: GeometryParams): Uint32Array {
  return Uint32Array.of(
    g.n, g.c, g.h, g.w, g.outH, g.outW, g.pad ?? 0, g.stage ?? 0,
    g.threshold ?? 0, g.fixedI ?? 0, g.fixedJ ?? 0, g.fixedFlip ? 1 : 0, g.outOffset ?? 0, g.tableLen ?? 1,
    0, 0,
  );
}

export function colorParams(n: number, c: number, plane: number, stage: number, lo: number, hi: number, clamp: readonly [number, number] | null): Uint32Array {
  return Uint32Array.of(n, c, plane, stage, f32bits(lo), f32bits(hi), f32bits(clamp?.[0] ?? 0), f32bits(clamp?.[1] ?? 0));
}

/** The `rng` binding's words: the seed's two halves and the step. */
export function augmentRngWords(seed: number, step: number): Uint32Array {
  return Uint32Array.of(seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, step >>> 0);
}
