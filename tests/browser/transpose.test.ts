import { beforeAll, describe, expect, it } from 'vitest';
import { permute, tensor, transpose, type DType, type Tensor } from '../../src/index.js';
import { ref } from '../../src/reference/ref-tensor.js';
import { refPermute, refTranspose } from '../../src/reference/transpose.js';
import { expectEqual } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

beforeAll(async () => {
  await testRuntime();
});

/** Random data: i32/u32 are random 32-bit words (every bit pattern, NaN ones included); f32 adds ±inf and NaN. */
function randomTensor(rng: Rng, shape: number[], dtype: DType): { x: Tensor; data: Float32Array | Int32Array | Uint32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const words = Uint32Array.from({ length: n }, () => Math.floor(rng.next() * 2 ** 32));
  const data = dtype === 'f32' ? rng.normal(n) : dtype === 'i32' ? new Int32Array(words.buffer) : words;
  if (dtype === 'f32' && n > 3) data.set([Infinity, -Infinity, NaN], Math.floor(rng.next() * (n - 3)));
  return { x: tensor(data, shape), data };
}

function allPermutations(n: number): number[][] {
  if (n === 0) return [[]];
  return allPermutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

function shuffled(rng: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

// Data movement only: every comparison is exact.
describe('permute', () => {
  it('applies every permutation of a rank-3 tensor, for f32, i32 and u32', async () => {
    const rng = new Rng();
    for (const dtype of ['f32', 'i32', 'u32'] as const) {
      const { x, data } = randomTensor(rng, [3, 17, 5], dtype);
      for (const dims of allPermutations(3)) {
        const y = permute(x, dims);
        expect(y.dtype).toBe(dtype);
        const e = refPermute(ref(data, x.shape), dims);
        expect(y.shape).toEqual(e.shape);
        expectEqual(await y.toArray(), e.data, `${dtype} permute [${dims}]`);
      }
    }
  });

  it('applies random permutations of rank-4 and rank-5 tensors, with size-1 dims and negative dims', async () => {
    const rng = new Rng();
    for (const shape of [[3, 5, 2, 7], [2, 3, 1, 5, 4], [1, 3, 2, 17, 2]]) {
      const { x, data } = randomTensor(rng, shape, 'f32');
      for (let k = 0; k < 6; k++) {
        const dims = shuffled(rng, shape.length).map((d) => (k % 2 ? d - shape.length : d));
        const e = refPermute(ref(data, shape), dims);
        expectEqual(await permute(x, dims).toArray(), e.data, `permute [${shape}] by [${dims}]`);
      }
    }
  });

  it('copies on an identity permutation and leaves empty tensors empty', async () => {
    const { x, data } = randomTensor(new Rng(), [3, 1, 4], 'i32');
    const y = permute(x, [0, 1, 2]);
    expect(y.buffer()).not.toBe(x.buffer());
    expectEqual(await y.toArray(), data, 'identity');
    expect(permute(tensor(new Float32Array(0), [2, 0, 3]), [2, 0, 1]).shape).toEqual([3, 2, 0]);
  });
});

describe('transpose', () => {
  it('swaps the last two dims of matrices and batches whose sizes are not tile multiples (tiled kernel)', async () => {
    const rng = new Rng();
    for (const [shape, dtype] of [[[3, 65, 129], 'f32'], [[3, 65, 129], 'u32'], [[2, 129, 17], 'i32'], [[1, 1], 'f32'], [[17, 3], 'f32'], [[65, 33], 'f32']] as const) {
      const { x, data } = randomTensor(rng, [...shape], dtype);
      const e = refTranspose(ref(data, shape));
      const y = transpose(x);
      expect(y.shape).toEqual(e.shape);
      expectEqual(await y.toArray(), e.data, `transpose ${dtype} [${shape}]`);
    }
  });

  it('swaps any two dims, including the same dim twice', async () => {
    const { x, data } = randomTensor(new Rng(), [3, 17, 65], 'f32');
    for (const [a, b] of [[0, 2], [0, 1], [-3, -2], [1, 1]] as const) {
      expectEqual(await transpose(x, a, b).toArray(), refTranspose(ref(data, x.shape), a, b).data, `transpose(${a}, ${b})`);
    }
  });

  it('transposes a rank-4 batch (batch dims merge into one for the tiled kernel)', async () => {
    const { x, data } = randomTensor(new Rng(), [2, 3, 33, 65], 'f32');
    expectEqual(await transpose(x).toArray(), refTranspose(ref(data, x.shape)).data, 'rank-4 batched transpose');
  });
});
