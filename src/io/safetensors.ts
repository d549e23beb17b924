import { ArgumentError } from '../errors.js';
import { DataFormatError } from './errors.js';

/**
 * safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
 * N bytes of UTF-8 JSON `{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets":
 * [begin, end]}, …}` (offsets relative to the byte buffer after the header), then the byte buffer:
 * tensors little-endian and row-major, covering it with no holes or overlaps.
 */

/** The element types, in the reference implementation's order (increasing alignment). */
export const SAFETENSORS_DTYPES = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'] as const;
export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

const DTYPE_BYTES: Record<SafetensorsDType, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** The reference reader's limit; a larger header is refused before anything is allocated for it. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

export interface SafetensorsTensor {
  dtype: SafetensorsDType;
  shape: readonly number[];
  /** The values, little-endian: a matching typed array (Float32Array for F32, BigInt64Array for I64…) or raw bytes. */
  data: ArrayBufferView;
}

export interface DecodedTensor {
  dtype: SafetensorsDType;
  shape: number[];
  /** Raw little-endian bytes, a view into the decoded buffer (see `tensorValues` for numbers). */
  data: Uint8Array;
}

export interface SafetensorsFile {
  /** In file order. */
  tensors: Map<string, DecodedTensor>;
  metadata: Record<string, string>;
}

function isDType(x: unknown): x is SafetensorsDType {
  return typeof x === 'string' && (SAFETENSORS_DTYPES as readonly string[]).includes(x);
}

function checkLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new ArgumentError('safetensors', 'big-endian platforms are not supported');
}

const utf8 = new TextEncoder();

/** Rust orders names as byte strings (UTF-8), which JS string comparison (UTF-16 units) does not always match. */
function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a), y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Serializes tensors the way the reference (Rust) writer does, so the output is byte-identical to it:
 * tensors sorted by decreasing dtype alignment then name, compact JSON, `__metadata__` first (keys
 * sorted here, for a deterministic output), header padded with spaces to a multiple of 8 bytes so every
 * tensor's data is aligned.
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, SafetensorsTensor>, metadata: Record<string, string> = {}): Uint8Array {
  checkLittleEndian();
  const op = 'encodeSafetensors';
  for (const [name, t] of tensors) {
    if (name === METADATA_KEY) throw new ArgumentError(op, `'${METADATA_KEY}' is reserved and cannot name a tensor`);
    if (!isDType(t.dtype)) throw new ArgumentError(op, `${name}: unknown dtype ${String(t.dtype)}`);
    if (t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ArgumentError(op, `${name}: shape [${t.shape.join(', ')}] must hold non-negative integers`);
    const bytes = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== bytes) throw new ArgumentError(op, `${name}: shape [${t.shape.join(', ')}] of ${t.dtype} needs ${bytes} bytes, the data has ${t.data.byteLength}`);
  }
  for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new ArgumentError(op, `metadata '${k}' must be a string`);

  const rank = (d: SafetensorsDType) => SAFETENSORS_DTYPES.indexOf(d);
  const order = [...tensors].sort(([an, a], [bn, b]) => rank(b.dtype) - rank(a.dtype) || compareUtf8(an, bn));
  const fields: string[] = [];
  const metaKeys = Object.keys(metadata).sort(compareUtf8);
  if (metaKeys.length) fields.push(`${JSON.stringify(METADATA_KEY)}:{${metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  let offset = 0;
  for (const [name, t] of order) {
    const end = offset + t.data.byteLength;
    fields.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = utf8.encode(`{${fields.join(',')}}`);
  const headerBytes = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerBytes + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerBytes);
  let at = 8 + headerBytes;
  for (const [, t] of order) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Parses and validates a safetensors file. Anything a corrupt or hostile file could get wrong is refused
 * with a DataFormatError naming `name` and the problem, before any tensor is handed out.
 */
export function decodeSafetensors(bytes: Uint8Array, name = 'safetensors data'): SafetensorsFile {
  checkLittleEndian();
  const fail = (detail: string): never => {
    throw new DataFormatError(name, detail);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is shorter than the 8-byte header length field`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + n > bytes.length) fail(`header length ${n} is larger than the file (${bytes.length - 8} bytes after the length field)`);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`the header must be a JSON object (starting with '{'), it starts with ${JSON.stringify(text.slice(0, 16))}`);
  let header: Record<string, unknown> = {};
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) fail(`the header repeats the key ${JSON.stringify(duplicate)}`);

  const bufferBytes = bytes.length - 8 - n;
  const metadata: Record<string, string> = {};
  const infos: { name: string; dtype: SafetensorsDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [key, value] of Object.entries(header)) {
    if (key === METADATA_KEY) {
      if (!isPlainObject(value)) fail(`${METADATA_KEY} must be an object of strings`);
      for (const [k, v] of Object.entries(value as object)) {
        if (typeof v !== 'string') fail(`${METADATA_KEY}.${k} must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor ${JSON.stringify(key)}`;
    if (!isPlainObject(value)) fail(`${where}: its entry must be an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (!isDType(dtype)) fail(`${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${SAFETENSORS_DTYPES.join(', ')})`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`${where}: shape ${JSON.stringify(shape)} must be a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0) || offsets[0] > offsets[1]) {
      fail(`${where}: data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > bufferBytes) fail(`${where}: data_offsets [${begin}, ${end}] run past the end of the ${bufferBytes}-byte data buffer`);
    const d = dtype as SafetensorsDType, s = shape as number[];
    const need = elementCount(s) * DTYPE_BYTES[d];
    if (need !== end - begin) fail(`${where}: shape [${s.join(', ')}] of ${d} needs ${need} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    infos.push({ name: key, dtype: d, shape: s, begin, end });
  }

  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (let i = 0; i < infos.length; i++) {
    const t = infos[i]!;
    if (t.begin < covered) fail(`tensor ${JSON.stringify(t.name)}: data_offsets [${t.begin}, ${t.end}] overlap tensor ${JSON.stringify(infos[i - 1]!.name)}`);
    if (t.begin > covered) fail(`tensor ${JSON.stringify(t.name)}: data_offsets [${t.begin}, ${t.end}] leave a hole of ${t.begin - covered} bytes before them`);
    covered = t.end;
  }
  if (covered !== bufferBytes) fail(`the tensors cover ${covered} bytes of the ${bufferBytes}-byte data buffer (${bufferBytes - covered} bytes unaccounted for)`);

  const data = bytes.subarray(8 + n);
  return { tensors: new Map(infos.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, data: data.subarray(t.begin, t.end) }])), metadata };
}

function isPlainObject(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The first key repeated within one JSON object, or null. JSON.parse keeps the last of duplicates
 * silently, and the format forbids them, so the (already valid) text is scanned for them.
 */
function findDuplicateKey(json: string): string | null {
  // One entry per open container: the keys seen so far for objects, null for arrays.
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '{') open.push(new Set());
    else if (c === '[') open.push(null);
    else if (c === '}' || c === ']') open.pop();
    else if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      let k = j + 1;
      while (k < json.length && ' \t\n\r'.includes(json[k]!)) k++;
      // Inside an object, a string followed by ':' is a key (a value is followed by ',' or '}').
      if (keys && json[k] === ':') {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = j;
    }
  }
  return null;
}

/** An F16 value to a number. */
function halfToFloat(h: number): number {
  const exp = (h >> 10) & 0x1f, frac = h & 0x3ff, sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * A decoded tensor's values in one of the library's dtypes: floats (F32, F16, BF16, F64) as
 * Float32Array, integers as Int32Array (I64/U64 only when every value fits), U32 as Uint32Array.
 */
export function tensorValues(t: DecodedTensor, name = 'tensor'): Float32Array | Int32Array | Uint32Array {
  // A copy, so the typed array views start on an aligned offset whatever the file's layout.
  const buf = t.data.slice().buffer;
  switch (t.dtype) {
    case 'F32': return new Float32Array(buf);
    case 'F64': return Float32Array.from(new Float64Array(buf));
    case 'F16': return Float32Array.from(new Uint16Array(buf), halfToFloat);
    case 'BF16': return new Float32Array(Uint32Array.from(new Uint16Array(buf), (b) => b << 16).buffer);
    case 'I32': return new Int32Array(buf);
    case 'U32': return new Uint32Array(buf);
    case 'BOOL': case 'U8': return Int32Array.from(new Uint8Array(buf));
    case 'I8': return Int32Array.from(new Int8Array(buf));
    case 'I16': return Int32Array.from(new Int16Array(buf));
    case 'U16': return Int32Array.from(new Uint16Array(buf));
    case 'I64': case 'U64': {
      const wide = t.dtype === 'I64' ? new BigInt64Array(buf) : new BigUint64Array(buf);
      const out = new Int32Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        const v = wide[i]!;
        if (v < -0x80000000n || v > 0x7fffffffn) throw new ArgumentError('tensorValues', `${name}: ${t.dtype} value ${v} at index ${i} does not fit in i32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'F8_E5M2': case 'F8_E4M3':
      throw new ArgumentError('tensorValues', `${name}: ${t.dtype} is not supported`);
  }
}
