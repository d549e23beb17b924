// Deterministic inputs shared by both libraries (the same numbers go to each), and the CPU check.

/** mulberry32: a small fast seeded PRNG; values in [-1, 1). */
export function randomArray(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/**
 * Checks `c` = a·b ([m,k]·[k,n], row-major) on `samples` pseudo-random entries against float64 sums;
 * returns max |c − ref| / max |ref| over the samples.
 */
export function matmulSampleError(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, samples = 256): number {
  let maxErr = 0, maxRef = 0;
  for (let s = 0; s < samples; s++) {
    const i = (s * 7919 + 13) % m, j = (s * 104729 + 7) % n;
    let ref = 0;
    for (let p = 0; p < k; p++) ref += a[i * k + p]! * b[p * n + j]!;
    maxErr = Math.max(maxErr, Math.abs(c[i * n + j]! - ref));
    maxRef = Math.max(maxRef, Math.abs(ref));
  }
  return maxRef ? maxErr / maxRef : maxErr;
}

/** Max |c − ref| / max |ref| over all entries. */
export function relativeError(c: ArrayLike<number>, ref: ArrayLike<number>): number {
  let maxErr = 0, maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(c[i]! - ref[i]!));
    maxRef = Math.max(maxRef, Math.abs(ref[i]!));
  }
  return c.length !== ref.length ? Infinity : maxRef ? maxErr / maxRef : maxErr;
}

/** float64 reference of the chain case (see CHAIN_OPS in types.ts). */
export function chainReference(ops: readonly string[], x: Float32Array, y: Float32Array): Float64Array {
  const t = Float64Array.from(x);
  for (const op of ops) {
    for (let i = 0; i < t.length; i++) {
      const v = t[i]!, w = y[i]!;
      t[i] = op === 'add' ? v + w : op === 'sub' ? v - w : op === 'mul' ? v * w : op === 'relu' ? Math.max(v, 0) : NaN;
    }
  }
  return t;
}

/** Sampled check of relu(x·w + bias). */
export function denseSampleError(x: Float32Array, w: Float32Array, bias: Float32Array, c: Float32Array, m: number, k: number, n: number, samples = 256): number {
  let maxErr = 0, maxRef = 0;
  for (let s = 0; s < samples; s++) {
    const i = (s * 7919 + 13) % m, j = (s * 104729 + 7) % n;
    let ref = bias[j]!;
    for (let p = 0; p < k; p++) ref += x[i * k + p]! * w[p * n + j]!;
    ref = Math.max(ref, 0);
    maxErr = Math.max(maxErr, Math.abs(c[i * n + j]! - ref));
    maxRef = Math.max(maxRef, Math.abs(ref));
  }
  return maxRef ? maxErr / maxRef : maxErr;
}
