/** CPU Philox4x32-10, bit-identical to shaders/random.wgsl: the oracle for GPU random numbers. */
function mulhilo(a: number, b: number): [number, number] {
  const p = BigInt(a >>> 0) * BigInt(b >>> 0);
  return [Number(p >> 32n) >>> 0, Number(p & 0xffffffffn) >>> 0];
}

export function philox4x32_10(counter: readonly number[], key: readonly number[]): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((x) => x >>> 0) as [number, number, number, number];
  let [k0, k1] = key.map((x) => x >>> 0) as [number, number];
  for (let r = 0; r < 10; r++) {
    const [hi0, lo0] = mulhilo(0xd2511f53, c0);
    const [hi1, lo1] = mulhilo(0xcd9e8d57, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** The values `rand(shape, { seed, low, high })` produces, in float64 (the GPU computes them in f32). */
export function refRand(n: number, seed: number, stream: number, low = 0, high = 1): Float64Array {
  const out = new Float64Array(n);
  const key = [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
  for (let t = 0; t * 4 < n; t++) {
    const bits = philox4x32_10([t, stream, 0, 0], key);
    for (let j = 0; j < 4 && t * 4 + j < n; j++) out[t * 4 + j] = low + (high - low) * ((bits[j]! >>> 8) / 16777216);
  }
  return out;
}

/** The values `randn(shape, { seed, mean, std })` produces for `stream`, in float64 (Box-Muller on Philox, as the GPU). */
export function refRandn(n: number, seed: number, stream: number, mean = 0, std = 1): Float64Array {
  const out = new Float64Array(n);
  const key = [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
  const unit = (x: number) => (x >>> 8) / 16777216;
  for (let t = 0; t * 4 < n; t++) {
    const [x, y, z, w] = philox4x32_10([t, stream, 0, 0], key);
    const ra = Math.sqrt(-2 * Math.log(unit(x) + 1 / 16777216)), rb = Math.sqrt(-2 * Math.log(unit(z) + 1 / 16777216));
    const ta = 2 * Math.PI * unit(y), tb = 2 * Math.PI * unit(w);
    const v = [ra * Math.cos(ta), ra * Math.sin(ta), rb * Math.cos(tb), rb * Math.sin(tb)];
    for (let j = 0; j < 4 && t * 4 + j < n; j++) out[t * 4 + j] = mean + std * v[j]!;
  }
  return out;
}
