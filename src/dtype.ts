export type DType = 'f32' | 'i32' | 'u32';

export type TypedArrayFor<D extends DType> = D extends 'f32' ? Float32Array : D extends 'i32' ? Int32Array : Uint32Array;
export type AnyTypedArray = Float32Array | Int32Array | Uint32Array;

export const BYTES_PER_ELEMENT = 4;

export function arrayFor(dtype: DType, buffer: ArrayBuffer, length: number): AnyTypedArray {
  switch (dtype) {
    case 'f32': return new Float32Array(buffer, 0, length);
    case 'i32': return new Int32Array(buffer, 0, length);
    case 'u32': return new Uint32Array(buffer, 0, length);
  }
}

export function newArray(dtype: DType, length: number): AnyTypedArray {
  return arrayFor(dtype, new ArrayBuffer(length * BYTES_PER_ELEMENT), length);
}

export function dtypeOfArray(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  return 'u32';
}

export function isDType(x: unknown): x is DType {
  return x === 'f32' || x === 'i32' || x === 'u32';
}
