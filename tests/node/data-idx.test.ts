import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadFashionMNIST, type FashionMNIST } from '../../src/data/fashion-mnist.js';
import { loadIdx, parseIdx, readIdx } from '../../src/data/idx.js';
import { DataFormatError } from '../../src/io/errors.js';

const present = existsSync(join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz'));
let fullDataset: Promise<FashionMNIST> | undefined;
/** Loaded once for the tests that need all of it (decompressing takes seconds). */
const loadFull = () => (fullDataset ??= loadFashionMNIST());

/** IDX bytes: magic 0x0000<code><rank>, big-endian dims, then `payload`. */
function idx(code: number, dims: number[], payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, code, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

function bigEndian(bytesPer: number, values: number[], write: (v: DataView, at: number, x: number) => void): Uint8Array {
  const out = new Uint8Array(bytesPer * values.length);
  const view = new DataView(out.buffer);
  values.forEach((x, i) => write(view, i * bytesPer, x));
  return out;
}

describe.skipIf(!present)(`Fashion-MNIST files in ${FASHION_MNIST_DIR} (skipped when absent: apt-get install dataset-fashion-mnist)`, () => {
  it('reads the gzipped training labels: 60000 u8 labels starting 9, 0, 0, 3, 0, 2, 7, 2, 5, 5', async () => {
    const labels = await loadIdx(join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz'));
    expect(labels.dtype).toBe('u8');
    expect(labels.shape).toEqual([60000]);
    expect([...labels.data.subarray(0, 10)]).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  });

  it('loads both splits with their counts, 28×28 bytes using the full 0–255 range, and 10 balanced classes', async () => {
    const ds = await loadFull();
    expect(ds.classes).toEqual(FASHION_MNIST_CLASSES);
    for (const [split, n] of [[ds.train, 60000], [ds.test, 10000]] as const) {
      expect(split.n).toBe(n);
      expect(split.images.length).toBe(n * 28 * 28);
      expect(split.labels.length).toBe(n);
      let lo = 255, hi = 0;
      for (const v of split.images) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect([lo, hi]).toEqual([0, 255]);
      const counts = new Array<number>(10).fill(0);
      for (const y of split.labels) counts[y]!++;
      expect(counts).toEqual(new Array(10).fill(n / 10));
    }
    expect([...ds.test.labels.subarray(0, 5)]).toEqual([9, 2, 1, 1, 6]);
  });

  it('keeps the first samples with subset', async () => {
    const full = await loadFull();
    const small = await loadFashionMNIST({ dir: `${FASHION_MNIST_DIR}/`, subset: 100 });
    expect(small.train.n).toBe(100);
    expect(small.test.images).toEqual(full.test.images.subarray(0, 100 * 784));
    expect(small.train.labels).toEqual(full.train.labels.subarray(0, 100));
  });
});

describe('IDX format', () => {
  it('decodes every IDX dtype big-endian, gzipped or not', async () => {
    const cases = [
      { code: 0x08, dtype: 'u8', values: [0, 7, 255], payload: Uint8Array.of(0, 7, 255) },
      { code: 0x09, dtype: 'i8', values: [-128, -1, 5], payload: Uint8Array.of(0x80, 0xff, 5) },
      { code: 0x0b, dtype: 'i16', values: [-2, 300, 32767], payload: bigEndian(2, [-2, 300, 32767], (v, a, x) => v.setInt16(a, x)) },
      { code: 0x0c, dtype: 'i32', values: [-70000, 1, 2 ** 31 - 1], payload: bigEndian(4, [-70000, 1, 2 ** 31 - 1], (v, a, x) => v.setInt32(a, x)) },
      { code: 0x0d, dtype: 'f32', values: [1.5, -0.25, 3e38], payload: bigEndian(4, [1.5, -0.25, 3e38], (v, a, x) => v.setFloat32(a, x)) },
      { code: 0x0e, dtype: 'f64', values: [Math.PI, -1e-300, 2], payload: bigEndian(8, [Math.PI, -1e-300, 2], (v, a, x) => v.setFloat64(a, x)) },
    ];
    for (const c of cases) {
      const bytes = idx(c.code, [3, 1], c.payload);
      for (const input of [bytes, new Uint8Array(gzipSync(bytes))]) {
        const a = await readIdx(input, c.dtype);
        expect(a.dtype).toBe(c.dtype);
        expect(a.shape).toEqual([3, 1]);
        expect([...a.data]).toEqual(c.dtype === 'f32' ? c.values.map(Math.fround) : c.values);
      }
    }
  });

  it('refuses corrupt data with an error naming the source and the problem', async () => {
    const good = idx(0x08, [2, 3], Uint8Array.of(1, 2, 3, 4, 5, 6));
    const refuse = (bytes: Uint8Array, message: RegExp) => expect(readIdx(bytes, 'bad.idx')).rejects.toThrow(message);
    await refuse(new Uint8Array(0), /^bad\.idx: empty file$/);
    await refuse(good.subarray(0, 3), /^bad\.idx: truncated header: 3 bytes/);
    await refuse(Uint8Array.of(8, 3, 0, 0, 0, 0), /^bad\.idx: bad magic number 0x08030000/);
    await refuse(Uint8Array.of(0, 0, 0x0a, 1, 0, 0, 0, 0), /^bad\.idx: unknown IDX type code 0x0a in magic 0x00000a01/);
    await refuse(Uint8Array.of(0, 0, 8, 0), /declares 0 dimensions/);
    await refuse(good.subarray(0, 10), /truncated header: 2 dimensions need a 12-byte header, the file has 10 bytes/);
    await refuse(good.subarray(0, good.length - 2), /^bad\.idx: dimensions \[2, 3\] of u8 need 6 data bytes but the file has 4 \(truncated\)$/);
    await refuse(idx(0x08, [2, 2], Uint8Array.of(1, 2, 3, 4, 5, 6)), /dimensions \[2, 2\] of u8 need 4 data bytes but the file has 6 \(2 bytes too many\)/);
    await refuse(idx(0x0b, [3], Uint8Array.of(0, 1, 0, 2, 0)), /dimensions \[3\] of i16 need 6 data bytes but the file has 5/);
    const gz = new Uint8Array(gzipSync(idx(0x08, [1000], new Uint8Array(1000).fill(9))));
    await refuse(gz.subarray(0, gz.length - 6), /^bad\.idx: the gzip stream is truncated or corrupt/);
    const flipped = gz.slice();
    flipped[12]! ^= 0xff;
    await refuse(flipped, /^bad\.idx: the gzip stream is truncated or corrupt/);
    expect(() => parseIdx(good.subarray(0, 9), 'x')).toThrow(DataFormatError);
  });

  it('names the file path in errors from loadIdx', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wgsl-nn-idx-'));
    const path = join(dir, 'cut-labels-idx1-ubyte.gz');
    const gz = gzipSync(idx(0x08, [500], new Uint8Array(500)));
    await writeFile(path, gz.subarray(0, gz.length >> 1));
    await expect(loadIdx(path)).rejects.toThrow(`${path}: the gzip stream is truncated or corrupt`);
    await expect(loadIdx(join(dir, 'missing.gz'))).rejects.toThrow(/cannot read .*missing\.gz/);
    // The four files load in parallel: whichever missing one fails first is named.
    await expect(loadFashionMNIST({ dir })).rejects.toThrow(/cannot read .*(train|t10k)-(images|labels)-idx[13]-ubyte\.gz/);
  });

  it('checks the Fashion-MNIST counts and shapes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wgsl-nn-fmnist-'));
    const images = (n: number) => gzipSync(idx(0x08, [n, 28, 28], new Uint8Array(n * 784)));
    const labels = (n: number) => gzipSync(idx(0x08, [n], new Uint8Array(n)));
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), images(2));
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), labels(2));
    await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), images(10000));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), labels(10000));
    await expect(loadFashionMNIST({ dir })).rejects.toThrow(/train-images-idx3-ubyte\.gz: expected u8 \[60000, 28, 28\], got u8 \[2, 28, 28\]/);
  });
});
