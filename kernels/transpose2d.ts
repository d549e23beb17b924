import { defineKernel } from '../src/kernel.js';
import source from '../shaders/transpose2d.wgsl?raw';

const TILE = 32;
export const transpose2dKernel = defineKernel({ name: 'transpose2d', source, bindings: { x: 'read', out: 'read_write', p: 'uniform' } });

/** Uniform words and workgroup count for [batch, rows, cols] → [batch, cols, rows]. */
export function transpose2dLaunch(batch: number, rows: number, cols: number): { params: Uint32Array; workgroups: number } {
  const tilesR = Math.ceil(rows / TILE), tilesC = Math.ceil(cols / TILE);
  return { params: Uint32Array.of(batch, rows, cols, tilesR, tilesC), workgroups: batch * tilesR * tilesC };
}
