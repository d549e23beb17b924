import { DataFormatError } from '../io/errors.js';
import { readBytes } from '../io/bytes.js';

/**
 * IDX, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte magic
 * `0x00 0x00 <type code> <number of dimensions>`, one big-endian u32 per dimension, then the values,
 * row-major and big-endian.
 */
export type IdxDType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  /** Values in native byte order. */
  data: IdxData;
}

const TYPES: Record<number, { dtype: IdxDType; bytes: number }> = {
  0x08: { dtype: 'u8', bytes: 1 },
  0x09: { dtype: 'i8', bytes: 1 },
  0x0b: { dtype: 'i16', bytes: 2 },
  0x0c: { dtype: 'i32', bytes: 4 },
  0x0d: { dtype: 'f32', bytes: 4 },
  0x0e: { dtype: 'f64', bytes: 8 },
};

const hex = (v: number, digits: number) => `0x${v.toString(16).padStart(digits, '0')}`;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The bytes an IDX file declares (header and data) from its first bytes: null while the header is
 * incomplete, 'invalid' for a header parseIdx will refuse.
 */
function declaredBytes(prefix: Uint8Array): number | null | 'invalid' {
  if (prefix.length < 4) return null;
  const type = TYPES[prefix[2]!];
  if (prefix[0] !== 0 || prefix[1] !== 0 || !type || prefix[3] === 0) return 'invalid';
  const headerBytes = 4 + 4 * prefix[3]!;
  if (prefix.length < headerBytes) return null;
  const view = new DataView(prefix.buffer, prefix.byteOffset, headerBytes);
  let count = 1;
  for (let i = 0; i < prefix[3]!; i++) count *= view.getUint32(4 + 4 * i);
  return headerBytes + count * type.bytes;
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Inflates gzip IDX data chunk by chunk and stops as soon as it grows past the size its header declares
 * (or once the header is seen to be invalid), so a small file that inflates to gigabytes is refused
 * before it is inflated.
 */
async function gunzipIdx(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let declared: number | null | 'invalid' = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (declared === null) declared = declaredBytes(concat(chunks.slice(), total).subarray(0, 1024));
      if (declared === 'invalid') break; // parseIdx names what is wrong with the header
      if (declared !== null && total > declared) {
        throw new DataFormatError(name, `the gzip stream inflates past the ${declared} bytes its IDX header declares (${total} bytes so far): not inflating further`);
      }
    }
  } catch (e) {
    if (e instanceof DataFormatError) {
      void reader.cancel().catch(() => {});
      throw e;
    }
    throw new DataFormatError(name, `the gzip stream is truncated or corrupt (${(e as Error).message})`);
  }
  if (declared === 'invalid') void reader.cancel().catch(() => {});
  return concat(chunks, total);
}

/** Parses uncompressed IDX bytes. `name` (a file name or URL) goes into every error message. */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  if (bytes.length === 0) throw new DataFormatError(name, 'empty file');
  if (bytes.length < 4) throw new DataFormatError(name, `truncated header: ${bytes.length} bytes, an IDX header needs at least 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFormatError(name, `bad magic number ${hex(magic, 8)}: an IDX file starts with two zero bytes, a type code and a rank (0x00000803 for u8 images, 0x00000801 for labels)`);
  }
  const type = TYPES[bytes[2]!];
  if (!type) {
    throw new DataFormatError(name, `unknown IDX type code ${hex(bytes[2]!, 2)} in magic ${hex(magic, 8)} (known: 0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64)`);
  }
  const rank = bytes[3]!;
  if (rank === 0) throw new DataFormatError(name, `magic ${hex(magic, 8)} declares 0 dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataFormatError(name, `truncated header: ${rank} dimensions need a ${headerBytes}-byte header, the file has ${bytes.length} bytes`);
  }
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * type.bytes;
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    const why = actual < expected ? 'truncated' : `${actual - expected} bytes too many`;
    throw new DataFormatError(name, `dimensions [${shape.join(', ')}] of ${type.dtype} need ${expected} data bytes but the file has ${actual} (${why})`);
  }
  return { dtype: type.dtype, shape, data: decodeValues(type.dtype, view, headerBytes, count) };
}

function decodeValues(dtype: IdxDType, view: DataView, offset: number, n: number): IdxData {
  const at = view.byteOffset + offset;
  switch (dtype) {
    case 'u8': return new Uint8Array(view.buffer, at, n);
    case 'i8': return new Int8Array(view.buffer, at, n);
    case 'i16': return fill(new Int16Array(n), (i) => view.getInt16(offset + 2 * i));
    case 'i32': return fill(new Int32Array(n), (i) => view.getInt32(offset + 4 * i));
    case 'f32': return fill(new Float32Array(n), (i) => view.getFloat32(offset + 4 * i));
    case 'f64': return fill(new Float64Array(n), (i) => view.getFloat64(offset + 8 * i));
  }
}

function fill<T extends Int16Array | Int32Array | Float32Array | Float64Array>(out: T, value: (i: number) => number): T {
  for (let i = 0; i < out.length; i++) out[i] = value(i);
  return out;
}

/** Parses IDX bytes, gunzipping them first when they start with the gzip magic. */
export async function readIdx(bytes: Uint8Array, name = 'IDX data'): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzipIdx(bytes, name) : bytes, name);
}

/** Reads an IDX file (gzip or not): a path or file: URL in Node, a URL in the browser. */
export async function loadIdx(pathOrUrl: string | URL): Promise<IdxArray> {
  return readIdx(await readBytes(pathOrUrl), String(pathOrUrl));
}
