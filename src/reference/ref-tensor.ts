import { sizeOf, type Shape } from '../shape.js';

/** A float64 CPU tensor: the test oracle's data type. Row-major, contiguous. */
export interface RefTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export function ref(data: ArrayLike<number>, shape: Shape): RefTensor {
  if (data.length !== sizeOf(shape)) throw new Error(`ref: ${data.length} values for shape [${shape.join(', ')}]`);
  return { shape: [...shape], data: Float64Array.from(data) };
}

export function refZeros(shape: Shape): RefTensor {
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)) };
}
