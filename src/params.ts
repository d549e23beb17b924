const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const i32 = new Int32Array(f32.buffer);

/** The bit pattern of `x` as an f32, for packing floats into uniform words. */
export function f32bits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** The bit pattern of `x` as an i32. */
export function i32bits(x: number): number {
  i32[0] = x;
  return u32[0]!;
}
