import { ArgumentError } from '../errors.js';
import { normalizeAxis, stridesOf } from '../shape.js';
import type { RefTensor } from './ref-tensor.js';

/** Output dimension k is input dimension dims[k]; gathers each output element from its coordinates. */
export function refPermute(x: RefTensor, dims: readonly number[]): RefTensor {
  const rank = x.shape.length;
  const axes = dims.map((d) => normalizeAxis('permute', d, rank));
  if (axes.length !== rank || new Set(axes).size !== rank) throw new ArgumentError('permute', `dims [${dims.join(', ')}] are not a permutation`);
  const shape = axes.map((d) => x.shape[d]!);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(shape);
  const data = new Float64Array(x.data.length);
  for (let j = 0; j < data.length; j++) {
    let src = 0;
    axes.forEach((d, k) => {
      src += (Math.floor(j / outStrides[k]!) % shape[k]!) * inStrides[d]!;
    });
    data[j] = x.data[src]!;
  }
  return { shape, data };
}

export function refTranspose(x: RefTensor, dim0 = -2, dim1 = -1): RefTensor {
  const a = normalizeAxis('transpose', dim0, x.shape.length);
  const b = normalizeAxis('transpose', dim1, x.shape.length);
  return refPermute(x, x.shape.map((_, i) => (i === a ? b : i === b ? a : i)));
}
